"""SMS text: Vietnamese folded to GSM-7, lengths as the network counts them, and
templates filled within the budget (properties over generated texts)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pakn.notify.gsm7 import GSM7, budget, fit, for_sms, length, parts, to_gsm7

CODE = "PAKN-2026-7K3QX9M"
KEEP = frozenset({"code"})

# Vietnamese as citizens and staff type it, with the characters that trip SMS up.
VIETNAMESE = st.sampled_from(
    ["Đường", "Nguyễn", "phản", "ánh", "ngập", "nước", "ở", "Ủy", "ban", "thủy", "hoà", "[khẩn]", "€100", "🔥", "“x”"]
)
WORDS = st.lists(st.one_of(VIETNAMESE, st.text(min_size=1, max_size=12)), max_size=120).map(" ".join)
LITERALS = st.lists(st.one_of(VIETNAMESE, st.sampled_from(["PAKN:", "Lý do:", "Tra cứu:", "."])), max_size=40).map(
    " ".join
)


def _braceless(text: str) -> str:
    return text.replace("{", "(").replace("}", ")")


def test_vietnamese_loses_its_marks_and_keeps_its_letters() -> None:
    assert to_gsm7("ĐƯỜNG Nguyễn Huệ bị ngập, đề nghị xử lý") == "DUONG Nguyen Hue bi ngap, de nghi xu ly"
    assert to_gsm7("Thủy, thuỷ, hòa, hoà, ơ ư Ơ Ư") == "Thuy, thuy, hoa, hoa, o u O U"


def test_typography_becomes_plain_and_what_gsm7_lacks_is_left_out() -> None:
    assert to_gsm7("“Khẩn” – ngập… 🔥") == '"Khan" - ngap... '
    assert to_gsm7("a\u200bb\tc") == "ab c"  # a zero-width space splits nothing; a tab is a space


def test_decomposed_input_folds_like_composed() -> None:
    assert to_gsm7("Nguye\u0302\u0303n") == to_gsm7("Nguyễn") == "Nguyen"


def test_unicode_text_is_composed_so_a_vietnamese_letter_is_one_unit() -> None:
    text = for_sms("Nguye\u0302\u0303n", unicode=True)

    assert text == "Nguyễn" and length(text, unicode=True) == 6


def test_the_extension_table_takes_two_septets_and_an_emoji_two_ucs2_units() -> None:
    assert length("a[b]€", unicode=False) == 8
    assert length("ab", unicode=False) == 2
    assert length("🔥a", unicode=True) == 3


def test_the_budget_is_one_message_or_the_parts_less_their_headers() -> None:
    assert [budget(False, 1), budget(True, 1)] == [160, 70]
    # 153 and 67 a part, one unit kept back at each boundary (no split escape or surrogate pair).
    assert [budget(False, 2), budget(False, 3), budget(True, 2)] == [305, 457, 133]


def test_parts_counts_what_the_province_pays_for() -> None:
    assert parts("a" * 160, unicode=False) == 1
    assert parts("a" * 161, unicode=False) == 2
    assert parts("ă" * 71, unicode=True) == 2


def test_a_text_within_budget_is_sent_as_written() -> None:
    text = fit("PAKN: Đã tiếp nhận phản ánh {code}.", {"code": CODE}, unicode=False, segments=1, keep=KEEP)

    assert text == f"PAKN: Da tiep nhan phan anh {CODE}."


def test_a_long_value_is_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    values = {"code": CODE, "reason": "không thuộc thẩm quyền " * 20}
    text = fit("PAKN {code}. Lý do: {reason}", values, unicode=False, segments=1, keep=KEEP)

    assert len(text) <= 160 and text.endswith("...")
    assert text.removesuffix("...").split()[-1] in {"khong", "thuoc", "tham", "quyen"}


def test_a_link_is_dropped_whole_rather_than_cut() -> None:
    values = {"code": CODE, "url": "https://pakn.example.gov.vn/tra-cuu/" + "x" * 150}
    text = fit("PAKN {code}. Tra cứu: {url}", values, unicode=False, segments=1, keep=KEEP)

    assert text == f"PAKN {CODE}. Tra cuu:"


def test_short_values_stay_whole_while_a_long_one_gives_way() -> None:
    values = {"code": CODE, "date": "30/06/2026", "answer": "Đã sửa xong đoạn đường. " * 30}
    text = fit("{code} hạn {date}: {answer}", values, unicode=False, segments=1, keep=KEEP)

    assert text.startswith(f"{CODE} han 30/06/2026: Da sua xong") and len(text) <= 160


def test_template_text_itself_gives_way_when_it_alone_overflows() -> None:
    template = "Ủy ban nhân dân tỉnh trân trọng thông báo: " * 3 + "{code}"
    text = fit(template, {"code": CODE}, unicode=True, segments=1, keep=KEEP)

    assert length(text, unicode=True) <= 70 and text.endswith(CODE)


@settings(max_examples=300, deadline=None, database=None)
@given(
    before=LITERALS,
    after=LITERALS,
    first=WORDS,
    second=WORDS,
    unicode=st.booleans(),
    segments=st.integers(min_value=1, max_value=3),
)
@example(before="", after="", first="", second="", unicode=True, segments=1)
@example(before="x " * 200, after="€" * 200, first="[" * 300, second="", unicode=False, segments=1)
def test_a_filled_text_is_never_over_budget_and_always_keeps_the_code(
    before: str, after: str, first: str, second: str, unicode: bool, segments: int
) -> None:
    template = _braceless(before) + " {first} {code} {second} " + _braceless(after)
    text = fit(template, {"code": CODE, "first": first, "second": second}, unicode, segments, keep=KEEP)

    assert length(text, unicode) <= budget(unicode, segments)
    assert CODE in text
    if not unicode:
        assert set(text) <= GSM7


@settings(max_examples=200, deadline=None, database=None)
@given(value=WORDS, unicode=st.booleans())
def test_a_shortened_value_is_a_start_of_the_original_in_whole_words(value: str, unicode: bool) -> None:
    text = fit("{code} {value}", {"code": CODE, "value": value}, unicode, 1, keep=KEEP)
    kept = text.removeprefix(CODE).strip()
    ellipsis = "…" if unicode else "..."
    whole = " ".join(for_sms(value, unicode).split())

    if kept != whole:
        kept = kept.removesuffix(ellipsis)
        assert kept == "" or (whole.startswith(kept) and whole[len(kept)] == " ")
