"""Category and agency suggestions from the shipped rules, whatever the spelling."""

from __future__ import annotations

import unicodedata

import pytest

from pakn.intelligence.suggestions import Engine, agency_for, categorise, suggest_agency
from pakn.settings import Settings, TriageConfig
from pakn.text.fold import fold


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_settings(Settings(config=None))


def strip_marks(text: str) -> str:
    bare = "".join(
        c
        for c in unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        if not unicodedata.combining(c)
    )
    return bare


REPORT = "Đèn đường trong ngõ tắt cả tuần nay, buổi tối rất tối. Đề nghị điện lực sửa giúp."


@pytest.mark.parametrize(
    "typed",
    [
        REPORT,
        strip_marks(REPORT),
        unicodedata.normalize("NFD", REPORT),
        "Đènđường trong ngõ tắt cả tuần nay, buổi tối rất tối. Đềnghịđiệnlực sửa giúp.",
        "đèn đường trong ngõ tắt cả tuần ko ai sửa 😡 điện lực xem giúp e vs",
        REPORT.upper(),
    ],
    ids=["clean", "no_diacritics", "nfd", "run_together", "teen_code_emoji", "upper_case"],
)
def test_each_form_of_the_same_report_gets_the_same_category(engine: Engine, typed: str) -> None:
    assert categorise(engine, "", typed)[0].code == "dien-chieu-sang"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Ổ gà to giữa mặt đường, xe máy sụp bánh liên tục.", "giao-thong"),
        ("Bãi rác tự phát bốc mùi hôi thối, ruồi muỗi bu kín.", "moi-truong"),
        ("Quán nước lấn chiếm hết vỉa hè, người đi bộ phải xuống lòng đường.", "trat-tu-do-thi"),
        ("Hàng xóm xây tường lấn sang thửa đất nhà tôi, xin cấp lại sổ đỏ.", "dat-dai"),
        ("Nhóm thanh niên tụ tập đánh bạc, gây rối trật tự ban đêm.", "an-ninh-trat-tu"),
        ("Nước máy có mùi lạ, đục ngầu cả tuần nay.", "cap-thoat-nuoc"),
        ("Trạm y tế không có bác sĩ trực, người bệnh phải chờ lâu.", "y-te"),
        ("Nhà trường thu nhiều khoản ngoài học phí đầu năm học.", "giao-duc"),
        ("Hồ sơ nộp ở bộ phận một cửa trễ hẹn hai tuần chưa có kết quả.", "thu-tuc-hanh-chinh"),
        ("Công ty nợ lương công nhân ba tháng, không đóng bảo hiểm xã hội.", "lao-dong-xa-hoi"),
    ],
)
def test_each_category_has_words_that_point_to_it(engine: Engine, text: str, code: str) -> None:
    ranked = categorise(engine, "", text)
    assert ranked[0].code == code
    assert ranked[0].words, "the reason names the words found"
    assert "từ khóa" in ranked[0].reason


def test_a_report_with_no_known_word_falls_back_to_other(engine: Engine) -> None:
    ranked = categorise(engine, "", "Cảm ơn các anh chị rất nhiều.")
    assert ranked[0].code == "khac" and ranked[0].words == ()


def test_scores_are_probabilities_best_first(engine: Engine) -> None:
    ranked = categorise(engine, "Ổ gà", "Mặt đường nhiều ổ gà")
    scores = [item.score for item in ranked]
    assert scores == sorted(scores, reverse=True)
    assert sum(scores) == pytest.approx(1.0)
    assert {item.code for item in ranked} == set(engine.categories)


def test_a_traffic_light_is_not_street_lighting(engine: Engine) -> None:
    # "đèn tín hiệu" is the longer match: its "đèn" does not also count for lighting.
    ranked = categorise(engine, "", "Đèn tín hiệu ở ngã tư hỏng.")
    assert ranked[0].code == "giao-thong"
    assert "đèn" not in next(item for item in ranked if item.code == "dien-chieu-sang").words


def test_folded_single_syllables_count_less_than_phrases(engine: Engine) -> None:
    # "lan" (làn / lán / lấn) is too ambiguous to decide anything without marks.
    assert categorise(engine, "", "xe may di sai lan duong")[0].code == "giao-thong"


def test_the_agency_follows_the_category_with_unit_overrides() -> None:
    config = TriageConfig(
        agencies={"cap-thoat-nuoc": "cap-nuoc", "giao-thong": "so-xay-dung"},
        agencies_by_unit={"27": {"cap-thoat-nuoc": "cap-nuoc-bac-ninh"}, "9280": {"cap-thoat-nuoc": "ubnd-xa"}},
    )
    assert agency_for(config, "cap-thoat-nuoc", ()) == "cap-nuoc"
    assert agency_for(config, "cap-thoat-nuoc", ("9281", "27")) == "cap-nuoc-bac-ninh"
    assert agency_for(config, "cap-thoat-nuoc", ("9280", "27")) == "ubnd-xa"
    assert agency_for(config, "giao-thong", ("9280", "27")) == "so-xay-dung"


def test_the_agency_suggestion_adds_up_the_categories_it_handles(engine: Engine) -> None:
    ranked = categorise(engine, "", "Quán lấn chiếm vỉa hè, xây dựng trái phép cơi nới ra lòng đường.")
    agency = suggest_agency(engine.config, ranked, ())
    assert agency is not None and agency["code"] == "so-xay-dung"
    handled = sum(item.score for item in ranked if item.code in ("giao-thong", "trat-tu-do-thi"))
    assert agency["score"] == pytest.approx(handled, abs=1e-3)


def test_the_shipped_rules_fold_to_words_not_noise(engine: Engine) -> None:
    for term in (term for terms in engine.rules.category_terms.marked.values() for term in terms):
        assert fold(term.phrase.text), term
