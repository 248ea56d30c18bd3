"""The category model: trained on a few decisions, stored without pickles, blended."""

from __future__ import annotations

import io
import zipfile

import pytest

from pakn.intelligence.model import CategoryModel, features, fit
from pakn.intelligence.suggestions import Engine, blend, categorise
from pakn.intelligence.training import choose_alpha, train_on
from pakn.settings import Settings

ROADS = [
    "Đường liên thôn nhiều ổ gà, xe đi rất xóc",
    "Mặt đường lún sụt sau mưa",
    "Cầu tạm qua kênh bị gãy lan can",
    "Đoạn đường đất lầy lội, xe không qua được",
]
WATER = [
    "Nước máy đục, có cặn vàng",
    "Mất nước sinh hoạt ba ngày",
    "Đường ống nước vỡ trước cổng chợ",
    "Nước giếng nhiễm phèn, cần nước sạch",
]
TEXTS = [("", text) for text in ROADS + WATER]
LABELS = ["giao-thong"] * 4 + ["cap-thoat-nuoc"] * 4


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_settings(Settings(config=None))


def test_features_are_the_same_for_every_spelling_of_a_text() -> None:
    spaced = features("", "Đường bị ngập")
    grams = {gram for gram in spaced if not gram.startswith(("w:", "b:"))}
    assert grams == {gram for gram in features("", "duongbingap") if not gram.startswith(("w:", "b:"))}
    assert grams == {gram for gram in features("", "ĐƯỜNG BỊ NGẬP") if not gram.startswith(("w:", "b:"))}


def test_a_model_learns_from_a_handful_of_decisions() -> None:
    model = fit(TEXTS, LABELS)
    assert set(model.classes) == {"giao-thong", "cap-thoat-nuoc"}
    shares = model.probabilities("", "ong nuoc bi vo, mat nuoc ca xom")
    assert max(shares, key=shares.__getitem__) == "cap-thoat-nuoc"
    assert sum(shares.values()) == pytest.approx(1.0)


def test_a_stored_model_reads_back_the_same_and_holds_no_pickle() -> None:
    model = fit(TEXTS, LABELS, alpha=0.4)
    payload = model.to_bytes()
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        for name in archive.namelist():
            assert b"\x80\x04" not in archive.read(name)[:2], "plain arrays, no pickled objects"
    again = CategoryModel.from_bytes(payload)
    assert again.alpha == 0.4 and again.classes == model.classes
    text = ("", "Mặt đường hỏng nặng")
    assert again.probabilities(*text) == pytest.approx(model.probabilities(*text), abs=1e-5)


def test_an_unknown_payload_format_is_refused() -> None:
    with pytest.raises(ValueError):
        CategoryModel.from_bytes(fit(TEXTS, LABELS).to_bytes().replace(b"format", b"formax"))


def test_the_blend_weighs_the_model_by_its_share() -> None:
    rules = {"a": 0.8, "b": 0.2}
    model = {"a": 0.0, "b": 1.0}
    assert blend(rules, model, 0.0) == rules
    assert blend(rules, model, 0.5) == pytest.approx({"a": 0.4, "b": 0.6})
    assert blend(rules, None, 0.5) == rules


def test_the_models_share_is_chosen_by_cross_validation(engine: Engine) -> None:
    alpha, accuracy = choose_alpha(engine, TEXTS, LABELS, folds=2)
    assert 0.0 <= alpha <= 1.0
    assert accuracy[alpha] == max(accuracy.values())


def test_a_trained_model_takes_part_in_the_suggestions(engine: Engine) -> None:
    trained = train_on(engine, TEXTS, LABELS)
    assert trained is not None and trained.metrics["reports"] == 8
    ranked = categorise(engine, "", "Mặt đường nhiều ổ gà", trained.model)
    assert ranked[0].code == "giao-thong"
    if trained.model.alpha:
        assert "mô hình" in ranked[0].reason


def test_one_category_alone_trains_nothing(engine: Engine) -> None:
    assert train_on(engine, TEXTS[:4], LABELS[:4]) is None
