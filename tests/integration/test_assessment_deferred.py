"""The triage assessment runs after commit: pending at first, stored once
whatever the workers do (concurrent, dead, late), on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from pakn.attachments.storage import LocalStorage
from pakn.core import leases
from pakn.domain.roles import Role
from pakn.intelligence import deferred
from pakn.models import DeferredTask, Feedback
from pakn.settings import TriageConfig
from pakn.submission import service
from pakn.submission.schemas import FeedbackCreate
from tests.e2e.workflow_helpers import STAFF_URL, citizen_submits
from tests.staff import make_staff

CONFIG = TriageConfig(assess_batch_size=7, assess_lease_seconds=30, assess_max_attempts=2)
SPOT = {"lat": 21.0245, "lon": 105.8412}
FLOOD = "Nước ngập sâu nửa mét trên đường Trần Hưng Đạo, xe máy chết máy hàng loạt."


@pytest.fixture(autouse=True)
async def fresh(app: Starlette, clean_db: None) -> None:
    return None


async def submit(tmp_path: Path, at: datetime, content: str = FLOOD, **fields: Any) -> int:
    data = FeedbackCreate.model_validate({"content": content, "location": SPOT, **fields})
    outcome = await service.submit(
        service.Submission(data), storage=LocalStorage(tmp_path), server_key=b"k" * 32, now=at
    )
    return outcome.created.id


async def test_the_staff_detail_says_pending_until_the_assessment_is_stored(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    created = await citizen_submits(client, title="Cây đổ", content="Cây đổ chắn ngang đường, đang chặn lối đi.")

    async def detail() -> dict[str, Any]:
        response = await client.get(f"{STAFF_URL}/{created['id']}", headers=coordinator.headers)
        assert response.status_code == 200, response.text
        return response.json()

    before = await detail()
    assert before["assessment"] == "pending" and before["suggestions"] is None
    assert await deferred.drain(datetime.now(UTC), CONFIG) == 1
    after = await detail()
    assert after["assessment"] == "done"
    assert after["suggestions"]["categories"] and after["version"] == before["version"] + 1
    assert await deferred.drain(datetime.now(UTC), CONFIG) == 0  # nothing left, nothing twice


async def test_a_flood_is_assessed_once_each_by_concurrent_workers(tmp_path: Path) -> None:
    start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    ids = [await submit(tmp_path, start + timedelta(seconds=index)) for index in range(40)]
    now = start + timedelta(minutes=1)
    claimed = await asyncio.gather(*(deferred.drain(now, CONFIG) for _ in range(4)))
    assert sum(claimed) == 40
    rows = await Feedback.filter(id__in=ids).order_by("id").values("id", "version", "assessed_at", "suggestions")
    assert {row["version"] for row in rows} == {2} and None not in {row["assessed_at"] for row in rows}
    assert await DeferredTask.all().count() == 0
    # The same report at the same spot: each is a duplicate candidate of those before it only.
    first, second, last = rows[0], rows[1], rows[-1]
    assert first["suggestions"]["duplicates"] == []
    assert [item["id"] for item in second["suggestions"]["duplicates"]] == [first["id"]]
    assert all(item["id"] < last["id"] for item in last["suggestions"]["duplicates"])
    assert len(last["suggestions"]["duplicates"]) == 5


async def test_a_batch_lost_with_its_worker_is_taken_again_after_the_lease(tmp_path: Path) -> None:
    start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    ids = [await submit(tmp_path, start) for _ in range(3)]
    # A worker claims the batch, then dies before storing anything.
    lease = start + timedelta(seconds=CONFIG.assess_lease_seconds)
    assert await leases.claim(deferred.ASSESSMENTS, [start], [lease], 10, returning="subject_id") == ids
    assert await deferred.drain(start + timedelta(seconds=29), CONFIG) == 0
    assert await deferred.drain(start + timedelta(seconds=31), CONFIG) == 3
    assert set(await Feedback.filter(id__in=ids).values_list("version", flat=True)) == {2}


async def test_a_late_worker_whose_lease_expired_stores_nothing(tmp_path: Path) -> None:
    start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    feedback_id = await submit(tmp_path, start)
    slow_lease = start + timedelta(seconds=30)
    await leases.claim(deferred.ASSESSMENTS, [start], [slow_lease], 10)
    # The lease runs out; another worker takes the report and stores it.
    assert await deferred.drain(start + timedelta(seconds=31), CONFIG) == 1
    # The slow one finishes at last: its lease is on no task any more, so it stores nothing.
    late = {"search_text": "late", "search_compact": "late", "suggestions": {"format": 1, "categories": []}}
    await deferred._store([deferred._stored_values(feedback_id, late)], [feedback_id], slow_lease)
    stored = await Feedback.get(id=feedback_id)
    assert stored.version == 2 and stored.suggestions["categories"]


async def test_urgency_shortens_the_deadline_unless_staff_acted_first(tmp_path: Path) -> None:
    at = datetime(2026, 6, 2, 2, 0, tzinfo=UTC)  # Tuesday 09:00 in Hà Nội
    danger = "Nhà dân trong ngõ đang bốc cháy, khói đen kín ngõ, cần cứu hỏa ngay."
    untouched = await submit(tmp_path, at, content=danger)
    decided = await submit(tmp_path, at, content=danger)
    # A coordinator set the priority before the assessment ran (the version moved on).
    await Feedback.filter(id=decided).update(priority="complex", version=2)
    await deferred.drain(at + timedelta(minutes=1), CONFIG)
    urgent = await Feedback.get(id=untouched)
    assert urgent.urgent and urgent.priority == "urgent"
    assert urgent.deadline == datetime(2026, 6, 2, 4, 0, tzinfo=UTC)  # 2 office hours: 11:00 local
    kept = await Feedback.get(id=decided)
    assert not kept.urgent and kept.priority == "complex" and kept.version == 3
    assert kept.suggestions["urgency"]["urgent"] is True  # the finding is shown all the same


async def test_an_assessment_that_keeps_failing_is_stored_as_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    feedback_id = await submit(tmp_path, start)

    async def broken(*args: object) -> dict[str, Any]:
        raise RuntimeError("the rules file is broken")

    monkeypatch.setattr(deferred, "assess", broken)
    assert await deferred.drain(start, CONFIG) == 1  # first attempt: left for the next claim
    task = await DeferredTask.get(subject_id=feedback_id)
    assert task.attempts == 1 and await deferred.is_pending(feedback_id)
    assert await deferred.drain(start + timedelta(seconds=31), CONFIG) == 1  # the last attempt
    failed = await Feedback.get(id=feedback_id)
    assert not await deferred.is_pending(feedback_id)
    assert failed.assessed_at is not None and failed.suggestions == {"format": 1, "error": "RuntimeError"}
    assert failed.search_compact  # searchable all the same
