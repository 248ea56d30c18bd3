"""Folding Vietnamese text for search: case, diacritics, đ, spacing, punctuation."""

from __future__ import annotations

import unicodedata

import pytest

from pakn.text.fold import compact, fold, search_document


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đường bị ngập", "duong bi ngap"),
        ("ĐƯỜNG BỊ NGẬP", "duong bi ngap"),
        ("  ĐƯỜNG bị  ngập!  ", "duong bi ngap"),
        ("duong bi ngap", "duong bi ngap"),
        ("Ðường", "duong"),  # Ð U+00D0, the Icelandic look-alike of Đ
        ("Cấp, thoát nước; 100% hộ dân", "cap thoat nuoc 100 ho dan"),
        ("Nguyễn Thị Ánh Tuyết", "nguyen thi anh tuyet"),
        ("", ""),
        ("!!! ... ???", ""),
    ],
)
def test_fold_ignores_case_diacritics_and_punctuation(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_composed_and_decomposed_input_fold_alike() -> None:
    text = "Phường Hoàn Kiếm ngập úng"
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


def test_a_tracking_code_folds_to_its_parts() -> None:
    assert fold("PAKN-2026-7KQ3M9X") == "pakn 2026 7kq3m9x"


def test_underscores_are_kept_as_part_of_a_word() -> None:
    # They survive folding, so the search must treat them as literal, not as LIKE wildcards.
    assert fold("mã_số 12") == "ma_so 12"


def test_compact_removes_the_spaces() -> None:
    assert compact("Đường  bị ngập") == "duongbingap"


def test_the_search_document_joins_the_folded_parts_and_skips_empty_ones() -> None:
    assert search_document("PAKN-2026-AAAAAAA", "", "Cây ĐỔ") == "pakn 2026 aaaaaaa cay do"
