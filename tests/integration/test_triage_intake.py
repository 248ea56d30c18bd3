"""Intake on the real database: stored text, suggestions, duplicates across
spellings, urgency and its deadline, and the model trained on staff decisions."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.applications import Starlette

from pakn.attachments.storage import LocalStorage
from pakn.domain.status import Status
from pakn.intelligence import training
from pakn.intelligence.intake import current_engine
from pakn.intelligence.suggestions import Engine
from pakn.models import Feedback, TriageModel
from pakn.scheduler import jobs
from pakn.settings import Settings, TriageConfig
from pakn.submission import service
from pakn.submission.schemas import FeedbackCreate
from tests.assessing import assessed

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HERE = {"lat": 21.0245, "lon": 105.8412}


@pytest.fixture(autouse=True)
async def fresh(app: Starlette, clean_db: None) -> AsyncIterator[None]:
    """The app's lifespan has synced categories; no model survives a test."""
    training.cache.clear()
    yield
    training.cache.clear()


async def submitted(tmp_path: Path, content: str, at: datetime | None = None, **fields: Any) -> Feedback:
    data = FeedbackCreate.model_validate({"content": content, **fields})
    outcome = await service.submit(
        service.Submission(data), storage=LocalStorage(tmp_path), server_key=b"k" * 32, now=at or datetime.now(TZ)
    )
    await assessed()  # what the worker does just after the commit
    return await Feedback.get(id=outcome.created.id)


async def test_the_text_is_stored_as_typed_in_nfc_and_searchable_without_spaces(tmp_path: Path) -> None:
    typed = unicodedata.normalize("NFD", "Ðường bị ngập nước 😡")
    feedback = await submitted(tmp_path, typed, title="ĐƯỜNG NGẬP")
    assert feedback.content == "Đường bị ngập nước 😡"
    code = feedback.tracking_code.lower().replace("-", "")
    assert feedback.search_compact == f"{code}duongngapduongbingapnuoc"


async def test_suggestions_are_stored_at_intake_and_the_citizens_category_is_kept(tmp_path: Path) -> None:
    own = await submitted(tmp_path, "Nước máy đục ngầu, có cặn vàng.", category="khac")
    none = await submitted(tmp_path, "Nước máy đục ngầu, có cặn vàng.")
    assert own.category_id == "khac" and own.suggested_category_id is None
    assert none.category_id is None and none.suggested_category_id == "cap-thoat-nuoc"
    suggestions = none.suggestions
    assert [item["code"] for item in suggestions["categories"]][0] == "cap-thoat-nuoc"
    assert suggestions["agency"]["code"] == "cap-nuoc"
    assert suggestions["urgency"]["urgent"] is False


async def test_a_duplicate_is_found_across_spelling_forms(tmp_path: Path) -> None:
    original = await submitted(
        tmp_path, "Đường Trần Hưng Đạo ngập nước sau mưa, xe máy chết máy hàng loạt.", location=HERE
    )
    await submitted(tmp_path, "Trạm y tế xã không có bác sĩ trực buổi chiều.", location=HERE)
    far = {"lat": HERE["lat"] + 0.01, "lon": HERE["lon"]}  # about 1.1 km
    await submitted(tmp_path, "Đường Trần Hưng Đạo ngập nước sau mưa, xe máy chết máy.", location=far)
    near = {"lat": HERE["lat"] + 0.001, "lon": HERE["lon"]}  # about 110 m
    for spelling in (
        "duong tran hung dao ngap nuoc sau mua, xe may chet may",
        "ĐườngTrầnHưngĐạo ngậpnước saumưa, xemáy chếtmáy",
    ):
        new = await submitted(tmp_path, spelling, location=near)
        # The original, or for the second spelling the first (at the same point), comes first.
        candidates = {entry["id"]: entry for entry in new.suggestions["duplicates"]}
        assert candidates[original.id]["tracking_code"] == original.tracking_code
        assert candidates[original.id]["distance_m"] == 111
        assert all(entry["distance_m"] <= 300 for entry in candidates.values())
        assert len(candidates) == 1 + (spelling[0] == "Đ")  # not the far one, not the health report


async def test_old_refused_and_merged_reports_are_not_duplicate_candidates(tmp_path: Path) -> None:
    now = datetime.now(TZ)
    text = "Cống thoát nước trong ngõ 12 bị tắc, nước đen tràn ra đường."
    old = await submitted(tmp_path, text, at=now - timedelta(days=31), location=HERE)
    refused = await submitted(tmp_path, text, location=HERE)
    await Feedback.filter(id=refused.id).update(status=Status.REJECTED)
    same_unit = await submitted(tmp_path, text)  # no coordinates, no unit: nothing is near it
    new = await submitted(tmp_path, text, location=HERE)
    ids = [entry["id"] for entry in new.suggestions["duplicates"]]
    assert old.id not in ids and refused.id not in ids and same_unit.id not in ids


async def test_a_danger_word_makes_the_report_urgent_with_the_urgent_deadline(tmp_path: Path) -> None:
    now = datetime.now(TZ)
    fire = await submitted(tmp_path, "Kho hàng cạnh nhà dân đang bốc cháy, khói đen kín ngõ.", at=now)
    calm = await submitted(tmp_path, "Nhà tôi sắp sửa lại mái, xin hỏi thủ tục.", at=now)
    assert fire.urgent and fire.priority == "urgent"
    assert not calm.urgent and calm.priority == "normal"
    assert fire.deadline is not None and calm.deadline is not None and fire.deadline < calm.deadline


async def test_the_model_is_trained_on_staff_decisions_and_used_at_intake(tmp_path: Path) -> None:
    decided = {
        "giao-thong": ["Mặt đường nhiều ổ gà", "Cầu tạm bị gãy lan can", "Đường đất lầy lội", "Xe tải chở quá tải"],
        "cap-thoat-nuoc": ["Nước máy đục", "Mất nước ba ngày", "Ống nước vỡ", "Cống thoát nước tắc nghẽn"],
    }
    for code, texts in decided.items():
        for text in texts:
            row = await submitted(tmp_path, f"{text} ở khu dân cư.", category=code)
            await Feedback.filter(id=row.id).update(status=Status.ASSIGNED)
    await submitted(tmp_path, "Đèn đường tắt cả tuần nay.", category="dien-chieu-sang")  # not decided yet
    engine = Engine(current_engine().rules, current_engine().categories, TriageConfig(model_min_reports=8))
    now = datetime.now(TZ)
    category, urgency = await training.train(engine, now)
    stored = category.stored
    assert stored is not None and stored.metrics is not None and stored.metrics["reports"] == 8
    assert urgency.stored is None  # no urgent decision: the danger words go on alone
    assert await TriageModel.filter(kind="category").count() == 1
    new = await submitted(tmp_path, "Mặt đường lún sụt nhiều ổ gà.", at=now)
    assert new.suggestions["model"]["id"] == stored.id
    assert new.suggested_category_id == "giao-thong"


async def test_too_few_decisions_train_nothing_and_the_rules_go_on(tmp_path: Path) -> None:
    assert await jobs.triage_retrain(datetime.now(TZ)) == {"trained": False}  # nothing tried, no figures
    assert await TriageModel.all().count() == 0
    new = await submitted(tmp_path, "Mặt đường nhiều ổ gà.")
    assert new.suggestions["model"] is None and new.suggested_category_id == "giao-thong"


def test_the_default_engine_reads_the_shipped_rules() -> None:
    engine = Engine.from_settings(Settings(config=None))
    assert "giao-thong" in engine.categories and engine.rules.category_terms.marked
