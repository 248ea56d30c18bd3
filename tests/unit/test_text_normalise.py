"""Vietnamese as typed on phones, made comparable: each input form, the accent traps."""

from __future__ import annotations

import unicodedata

import pytest

from pakn.text.fold import compact, fold
from pakn.text.matching import document, phrase
from pakn.text.normalise import clean, has_diacritics, matchable, place_tones
from pakn.text.syllables import cuts, is_syllable


def found(words: str, text: str) -> bool:
    return phrase(words).count(document(text)) > 0


def test_intake_text_is_nfc_with_the_d_look_alikes_repaired_and_otherwise_as_typed() -> None:
    typed = unicodedata.normalize("NFD", "ÐƯỜNG bị ngập, ðề nghị xử lý!! 😡")
    stored = clean(typed)
    assert stored == "ĐƯỜNG bị ngập, đề nghị xử lý!! 😡"
    assert unicodedata.is_normalized("NFC", stored)


def test_a_zero_width_space_does_not_split_a_word() -> None:
    assert fold("đư\u200bờng") == "duong"


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [("hòa", "hoà"), ("Hòa Bình", "Hoà Bình"), ("thủy", "thuỷ"), ("khỏe", "khoẻ"), ("qúy", "quý")],
)
def test_mixed_tone_placement_reads_as_one_spelling(old_style: str, new_style: str) -> None:
    assert place_tones(old_style) == place_tones(new_style)
    assert matchable(old_style) == matchable(new_style)


@pytest.mark.parametrize("word", ["hoàn", "của", "mùa", "quá", "thuở"])
def test_tone_marks_that_are_already_in_place_stay(word: str) -> None:
    assert place_tones(word) == word


def test_decomposed_input_matches_composed_words() -> None:
    assert found("ngập nước", unicodedata.normalize("NFD", "Đường bị ngập nước"))


def test_text_without_diacritics_matches_the_folded_phrase() -> None:
    assert found("ngập nước", "duong bi ngap nuoc sau qua")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("ko có điện", "không có điện"), ("k dc", "không được"), ("ng dân", "người dân"), ("sđt", "số điện thoại")],
)
def test_teen_code_is_spelled_out_for_matching(typed: str, meant: str) -> None:
    assert matchable(typed) == meant


def test_emoji_that_carry_the_message_become_words() -> None:
    assert matchable("nhà bên 🔥🔥") == "nhà bên cháy cháy"
    assert fold("ngập 😩 quá") == "ngap qua"  # other emoji are punctuation


def test_a_phone_number_inside_text_is_its_own_word() -> None:
    assert matchable("gọi sđt0912345678 giúp") == "gọi số điện thoại 0912345678 giúp"


@pytest.mark.parametrize("typed", ["Đường bị ngập", "duong bi ngap", "ĐƯỜNG BỊ NGẬP", "đườngbịngập", "duongbingap"])
def test_every_form_compacts_to_the_same_key(typed: str) -> None:
    assert compact(typed) == "duongbingap"


def test_run_together_words_are_found_on_syllable_boundaries() -> None:
    assert found("ngập nước", "đườngbịngậpnước sau mưa")
    assert found("điện lực", "Đềnghịđiệnlực thay hộp mới")
    assert found("ngap nuoc", "duongbingapnuoc")


def test_syllables_are_recognised_by_their_shape() -> None:
    assert is_syllable("nghiêng") and is_syllable("ngập") and is_syllable("quý")
    assert not is_syllable("ngậpn") and not is_syllable("hoà̀")
    assert 3 in cuts("nhàbệnhnhân") and cuts("homestay") == ()


def test_sap_with_a_breve_is_not_sap_with_a_circumflex() -> None:
    assert not found("sập", "Nhà tôi sắp bị giải toả")
    assert found("sập", "Nhà tôi bị sập mái")
    assert not found("sập", "nhàtôisắpbịgiảitoả")


def test_running_is_not_burning() -> None:
    assert not found("cháy", "Xe chạy rất nhanh qua ngõ")
    assert found("cháy", "Nhà bên cạnh đang cháy")


def test_an_alley_is_not_a_hem_without_its_mark() -> None:
    assert found("hẻm", "Hẻm 12 bị ngập")
    assert not found("hẻm", "Vải hem quần bị rách, mong cửa hàng đổi")


def test_a_word_inside_another_is_not_found() -> None:
    assert not found("ập", "nhà bị sập")
    assert not found("điện", "hiện tượng lạ")


def test_folded_phrases_are_used_only_when_the_text_has_no_diacritics() -> None:
    assert not found("sập", "sap het han nop ho so, nhà sắp xây")  # has diacritics: exact
    assert found("sập", "nha bi sap mai")  # none: folded


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("Đường bị ngập nước", True),
        ("duong bi ngap nuoc, xe may khong di duoc o Hà Nội", False),  # a copied name is not enough
        ("thanh niên đi xe máy ko mũ", True),
        ("1234 5678", False),
    ],
)
def test_whether_text_was_typed_with_diacritics(text: str, marked: bool) -> None:
    assert has_diacritics(text) is marked
