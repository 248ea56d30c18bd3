"""`pakn mail status` run as a real process: a message that failed its last
try (the SMTP port closed) shows with its error; exit status 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mail_server import free_port

ROOT = Path(__file__).parents[2]

# Queues two messages and flushes once against a closed port with one try allowed.
SETUP = """
import asyncio
from datetime import UTC, datetime
from pakn import db
from pakn.mail.outbox import enqueue
from pakn.mail.sender import flush_outbox
from pakn.settings import Settings

async def main():
    settings = Settings()
    await db.migrate(settings)
    await db.close_database()
    await db.open_database(settings)
    now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    for key in ("status:1", "status:2"):
        await enqueue(dedupe_key=key, kind="notice", recipients=["dan@example.vn"],
                      subject="Phản ánh đã được tiếp nhận", text="x", html=None, now=now)
    await flush_outbox(now, settings)
    await enqueue(dedupe_key="status:3", kind="notice", recipients=["dan@example.vn"],
                  subject="Chờ gửi", text="x", html=None, now=now)
    await db.close_database()

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("pakn-mail-cli")
    config = tmp / "pakn.toml"
    config.write_text("[mail]\nmax_attempts = 1\ntimeout_seconds = 5\n", encoding="utf-8")
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PAKN_")}
    return {
        **clean,
        "PAKN_DATABASE_URL": f"sqlite://{tmp}/mail.sqlite3",
        "PAKN_VAR_DIR": str(tmp / "var"),
        "PAKN_SECRET_KEY": "mail-cli-test-key",
        "PAKN_CONFIG": str(config),
        "PAKN_SMTP_HOST": "127.0.0.1",
        "PAKN_SMTP_PORT": str(free_port()),  # nothing listens there
    }


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def test_mail_status_counts_each_status_and_lists_the_failed_with_their_error(env: dict[str, str]) -> None:
    setup = run(env, "-c", SETUP)
    assert setup.returncode == 0, setup.stderr
    result = run(env, "-m", "pakn.cli", "mail", "status")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    counts = dict(line.rsplit(None, 1) for line in lines[1:5])
    assert counts == {"chờ gửi/queued": "1", "đang gửi/sending": "0", "đã gửi/sent": "0", "lỗi/failed": "2"}
    failed = [line for line in lines if "dan@example.vn" in line]
    assert len(failed) == 2
    assert all("Phản ánh đã được tiếp nhận" in line and "SMTPConnectError" in line for line in failed)
