"""Danger words mark a report urgent; their look-alikes and their past do not."""

from __future__ import annotations

import unicodedata

import pytest

from pakn.intelligence.suggestions import Engine, urgency
from pakn.settings import Settings


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_settings(Settings(config=None))


@pytest.mark.parametrize(
    "text",
    [
        "Nhà dân trong ngõ đang bốc cháy, khói đen dày đặc.",
        "Đường Lê Lợi ngập sâu, nước tràn vào nhà.",
        "Trần phòng học vừa sập xuống, học sinh bị thương.",
        "Cây đổ chắn ngang đường, đang đè lên một xe máy.",
        "Dây điện rơi xuống vỉa hè sau cơn giông.",
        "Vừa xảy ra tai nạn giữa xe tải và xe máy, cần cấp cứu gấp.",
        "Hai nhóm đánh nhau có hung khí trước quán nhậu.",
        "Bờ sông sạt lở sát móng nhà dân.",
        "NHÀ BÊN CẠNH ĐANG CHÁY 🔥🔥",
        "nha ben canh dang chay, khoi den kin ngo, can cuu hoa gap",
        "dây điện đứt 😱 đang toé lửa ngay cổng trường",
        "Nhàbênđangbốccháy",
        unicodedata.normalize("NFD", "Nhà kho đang bốc cháy dữ dội"),
    ],
)
def test_danger_words_mark_a_report_urgent(engine: Engine, text: str) -> None:
    found = urgency(engine, "", text)
    assert found.urgent, found
    assert found.words


@pytest.mark.parametrize(
    "text",
    [
        "Hồ sơ của tôi sắp hết hạn, đề nghị giải quyết.",  # sắp, not sập
        "Xe tải chạy rất nhanh qua khu dân cư.",  # chạy, not cháy
        "Hẻm nhỏ nhiều rác, đề nghị thu gom.",
        "Tháng trước có một vụ tai nạn ở ngã tư, đề nghị lắp đèn.",  # a past accident
        "Cây đổ vào dây điện hôm qua, cả xóm mất điện từ trưa.",  # no cue that it is still so
        "Xưởng đốt phế liệu ngay trong khu dân cư, khói mù mịt.",  # "ngay" here means "right in"
        "Đường này rất nguy hiểm, đề nghị lắp biển báo.",
        "Ho so sap het han, de nghi giai quyet som.",  # "sap" alone may be sắp
    ],
)
def test_look_alikes_and_old_news_are_not_urgent(engine: Engine, text: str) -> None:
    assert not urgency(engine, "", text).urgent


def test_the_title_counts_too(engine: Engine) -> None:
    assert urgency(engine, "CHÁY NHÀ DÂN", "Cần lực lượng đến.").urgent
