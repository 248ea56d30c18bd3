"""Housekeeping jobs: stored files left without their attachment row (a request
killed between the file write and the insert) are deleted once an hour old,
and idempotency records expire after the configured window, in bounded batches."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from pakn.attachments.inspect import CleanFile
from pakn.attachments.orphans import sweep_orphans
from pakn.attachments.storage import LocalStorage
from pakn.attachments.stored import StoredFiles
from pakn.models import Attachment, Feedback, IdempotencyRecord
from pakn.scheduler.jobs import BY_NAME
from pakn.settings import Settings
from pakn.submission.expiry import expire_idempotency_records
from tests.factories import feedback_body, new_key, png_bytes

SUBMIT = "/api/v1/feedback"


def age(path: Path, hours: float) -> None:
    written = time.time() - hours * 3600
    os.utime(path, (written, written))


async def submit_with_photo(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    payload = json.dumps(feedback_body())
    return await client.post(
        SUBMIT,
        headers=headers,
        data={"payload": payload},
        files={"attachments": ("anh.png", png_bytes(), "image/png")},
    )


async def file_without_row(storage: LocalStorage) -> Path:
    """What a request killed between the file write and the insert leaves behind."""
    clean = CleanFile(
        content=png_bytes(),
        extension=".png",
        content_type="image/png",
        kind="image",
        filename="anh.png",
        sha256="0" * 64,
        width=32,
        height=32,
    )
    stored = StoredFiles(storage)
    row = await stored.save(clean, datetime.now(UTC))
    return storage.path_for(row["storage_key"])


async def test_a_file_left_without_its_row_is_deleted_once_an_hour_old(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    created = await submit_with_photo(client, new_key())
    assert created.status_code == 201, created.text
    kept = LocalStorage(settings.media_dir).path_for((await Attachment.get()).storage_key)
    storage = LocalStorage(settings.media_dir)
    orphan, fresh = await file_without_row(storage), await file_without_row(storage)
    temporary = orphan.parent / ".tmp-k1ll3d_x.png"  # a write cut short
    temporary.write_bytes(b"partial")
    unrelated = settings.media_dir / "README.txt"
    unrelated.write_text("not the storage's")
    for path in (kept, orphan, temporary, unrelated):
        age(path, 2)
    age(fresh, 0.5)

    result = await BY_NAME["orphan-files"].run(datetime.now(UTC))

    assert (result.checked, result.deleted) == (3, 2)
    assert not orphan.exists() and not temporary.exists()
    assert kept.exists() and fresh.exists() and unrelated.exists()
    assert await Attachment.filter(feedback_id=created.json()["id"]).count() == 1


async def test_a_file_being_written_now_survives_a_sweep_run_as_of_a_later_instant(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    storage = LocalStorage(settings.media_dir)
    just_written = await file_without_row(storage)  # its row is on its way
    later = datetime.now(UTC) + timedelta(days=1)
    result = await sweep_orphans(storage, later, grace=timedelta(hours=1), batch_size=10)
    assert (result.checked, result.deleted) == (0, 0) and just_written.exists()


async def test_the_orphan_sweep_looks_files_up_in_bounded_batches(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    storage = LocalStorage(settings.media_dir)
    orphans = [await file_without_row(storage) for _ in range(5)]
    for path in orphans:
        age(path, 3)
    result = await sweep_orphans(storage, datetime.now(UTC), grace=timedelta(hours=1), batch_size=2)
    assert (result.checked, result.deleted) == (5, 5)
    assert not any(path.exists() for path in orphans)


async def test_a_retry_within_the_window_replays_and_the_record_expires_after_it(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    assert settings.retention.idempotency_days == 7
    key = new_key()
    first = await client.post(SUBMIT, json=feedback_body(), headers=key)
    assert first.status_code == 201, first.text
    expire = BY_NAME["idempotency-expiry"].run

    assert await expire(datetime.now(UTC) + timedelta(days=6)) == 0
    retry = await client.post(SUBMIT, json=feedback_body(), headers=key)
    assert retry.headers["Idempotent-Replayed"] == "true" and retry.json()["id"] == first.json()["id"]

    assert await expire(datetime.now(UTC) + timedelta(days=7, minutes=1)) == 1
    assert not await IdempotencyRecord.exists(key=key["Idempotency-Key"])
    assert await Feedback.exists(id=first.json()["id"])  # the report itself stays


async def test_idempotency_records_are_deleted_oldest_first_in_batches(client: httpx.AsyncClient) -> None:
    now = datetime.now(UTC)
    for days_old in (30, 20, 10, 9, 8, 6, 1):
        answer = await client.post(SUBMIT, json=feedback_body(), headers=new_key())
        assert answer.status_code == 201, answer.text
        await IdempotencyRecord.filter(feedback_id=answer.json()["id"]).update(
            created_at=now - timedelta(days=days_old)
        )
    deleted = await expire_idempotency_records(now, retention=timedelta(days=7), batch_size=2)
    assert deleted == 5
    left = await IdempotencyRecord.all().order_by("created_at").values_list("created_at", flat=True)
    assert [round((now - at).total_seconds() / 86400) for at in left] == [6, 1]


@pytest.mark.parametrize("name", ["idempotency-expiry", "orphan-files"])
def test_the_housekeeping_jobs_run_daily_at_the_configured_time(settings: Settings, name: str) -> None:
    assert str(BY_NAME[name].trigger(settings)) == "cron[hour='3', minute='0']"
