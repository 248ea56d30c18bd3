"""`pakn jobs list` and `pakn jobs run deadline-sweep --now …` as an operator
runs them: separate processes, on a temporary SQLite database of their own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = """
import asyncio, sys
from datetime import datetime
from pakn import db
from pakn.attachments.storage import LocalStorage
from pakn.models import StaffUser
from pakn.scheduler.runner import prepare
from pakn.settings import Settings
from pakn.submission import service
from pakn.submission.schemas import FeedbackCreate

async def main():
    settings = Settings()
    prepare(settings)
    await db.open_database(settings)
    try:
        now = datetime.fromisoformat(sys.argv[1])
        await StaffUser.create(username="dieu.phoi", password_hash="-", role="coordinator",
                               email="dieuphoi@example.vn", created_at=now, updated_at=now)
        data = FeedbackCreate(content="Đèn đường ở ngõ 12 hỏng đã một tuần.")
        await service.submit(service.Submission(data), storage=LocalStorage(settings.media_dir),
                             server_key=b"k" * 32, now=now)
    finally:
        await db.close_database()

asyncio.run(main())
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {key: value for key, value in os.environ.items() if not key.startswith("PAKN_")}
    return {
        **base,
        "PAKN_DATABASE_URL": f"sqlite://{tmp_path}/jobs.sqlite3",
        "PAKN_VAR_DIR": str(tmp_path / "var"),
        "PAKN_MEDIA_DIR": str(tmp_path / "media"),
        "PAKN_SECRET_KEY": "test-secret",
        "PAKN_LOG_LEVEL": "warning",
    }


def pakn(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pakn.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def count(tmp_path: Path, sql: str) -> int:
    with sqlite3.connect(tmp_path / "jobs.sqlite3") as connection:
        return int(connection.execute(sql).fetchone()[0])


def test_jobs_list_shows_each_job_with_its_next_run(env: dict[str, str]) -> None:
    listing = pakn(env, "jobs", "list")
    assert listing.returncode == 0, listing.stderr
    for name in ("deadline-sweep", "auto-close", "weekly-digest", "outbox-flush"):
        assert name in listing.stdout
    assert "cron[day_of_week='mon', hour='7', minute='30']" in listing.stdout


def test_jobs_run_sweeps_as_of_the_instant_given_and_never_twice(env: dict[str, str], tmp_path: Path) -> None:
    assert pakn(env, "migrate").returncode == 0
    seeded = subprocess.run(
        [sys.executable, "-c", SEED, "2026-03-02T09:00:00+07:00"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert seeded.returncode == 0, seeded.stderr
    early = pakn(env, "jobs", "run", "deadline-sweep", "--now", "2026-03-02T10:00:00+07:00")
    assert early.returncode == 0 and "notices=0" in early.stdout, early.stderr
    first = pakn(env, "jobs", "run", "deadline-sweep", "--now", "2026-03-04T09:00:00+07:00")
    again = pakn(env, "jobs", "run", "deadline-sweep", "--now", "2026-03-04T09:00:00+07:00")
    assert first.returncode == 0, first.stderr
    assert "notices=1 emails=1" in first.stdout and "notices=0 emails=0" in again.stdout
    assert count(tmp_path, "SELECT COUNT(*) FROM deadline_notice WHERE threshold = 'overdue'") == 1
    assert count(tmp_path, "SELECT COUNT(*) FROM feedback_event WHERE action = 'deadline_overdue'") == 1
    assert count(tmp_path, "SELECT COUNT(*) FROM outbox_message WHERE kind = 'deadline_overdue'") == 1


def test_a_bad_instant_or_job_is_refused_with_status_2(env: dict[str, str]) -> None:
    assert pakn(env, "jobs", "run", "deadline-sweep", "--now", "thứ hai").returncode == 2
    assert pakn(env, "jobs", "run", "no-such-job").returncode == 2
