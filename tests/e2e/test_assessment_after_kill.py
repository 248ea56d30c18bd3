"""kill -9 in the middle of a burst: `pakn serve` dies while reports arrive
and while its worker holds claimed assessments; after a restart every report
the citizens were told about is there once, and assessed exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories import feedback_body
from tests.served import Served, launch, serve, stop, wait_until_ready

BURST = 160
CONCURRENCY = 16
KILL_AFTER = 60  # replies received before the kill
LEASE_SECONDS = 5
SETTLE_TIMEOUT = 60.0


async def post(http: httpx.AsyncClient, key: str) -> dict[str, Any] | None:
    """The reply to one submission, or None when the server went away."""
    body = feedback_body(content="Nước ngập sâu nửa mét, xe chết máy hàng loạt ở ngã tư.")
    try:
        response = await http.post("/api/v1/feedback", json=body, headers={"Idempotency-Key": key})
    except httpx.TransportError:
        return None
    assert response.status_code == 201, response.text
    return dict(response.json())


async def burst(served: Served, keys: list[str], kill_after: int | None) -> dict[str, dict[str, Any]]:
    replies: dict[str, dict[str, Any]] = {}
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(http: httpx.AsyncClient, key: str) -> None:
        async with gate:
            reply = await post(http, key)
        if reply is not None:
            replies[key] = reply
            if kill_after is not None and len(replies) == kill_after:
                os.kill(served.process.pid, signal.SIGKILL)

    async with httpx.AsyncClient(base_url=served.base_url, timeout=10.0) as http:
        await asyncio.gather(*(one(http, key) for key in keys))
    return replies


async def reports(served: Served) -> list[dict[str, Any]]:
    """Every stored report's assessment state, read from the served database."""
    sql = (
        "SELECT tracking_code, version, assessed_at, suggestions, "
        "(SELECT count(*) FROM deferred_task WHERE subject_id = feedback.id) AS tasks FROM feedback ORDER BY id"
    )
    url = served.env["PAKN_DATABASE_URL"]
    if url.startswith("sqlite://"):
        with sqlite3.connect(url.removeprefix("sqlite://")) as connection:
            connection.row_factory = sqlite3.Row
            return [dict(row) for row in connection.execute(sql)]
    connection = await asyncpg.connect(url.replace("asyncpg://", "postgres://", 1))
    try:
        return [dict(row) for row in await connection.fetch(sql)]
    finally:
        await connection.close()


async def settled(served: Served) -> list[dict[str, Any]]:
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        rows = await reports(served)
        if all(row["tasks"] == 0 for row in rows):
            return rows
        if time.monotonic() > deadline:
            pending = sum(row["tasks"] > 0 for row in rows)
            pytest.fail(f"{pending} reports still waiting for their assessment after {SETTLE_TIMEOUT:.0f} s")
        await asyncio.sleep(0.5)


async def test_kill_9_mid_burst_loses_and_doubles_no_report_and_no_assessment(tmp_path: Path) -> None:
    config = tmp_path / "pakn.toml"
    config.write_text(
        f"[triage]\nassess_lease_seconds = {LEASE_SECONDS}\nassess_poll_seconds = 0.2\nassess_batch_size = 20\n"
        "[rate_limits]\nenabled = false\n"  # one test client is every citizen here
    )
    keys = [str(uuid.uuid4()) for _ in range(BURST)]
    async with serve(tmp_path, "killed", PAKN_CONFIG=str(config)) as served:
        before_kill = await burst(served, keys, kill_after=KILL_AFTER)
        served.process.wait(timeout=10)
        assert served.process.returncode == -signal.SIGKILL
        assert KILL_AFTER <= len(before_kill) < BURST  # the kill landed inside the burst
        restarted = launch(tmp_path, served.env, "server-restarted.log")
        try:
            await wait_until_ready(restarted)
            # The phones retry what got no answer, with the same keys.
            after = await burst(restarted, [key for key in keys if key not in before_kill], kill_after=None)
            assert len(before_kill) + len(after) == BURST
            rows = await settled(restarted)
            assert restarted.errors_logged() == []
        finally:
            stop(restarted.process)
    told = {reply["tracking_code"] for reply in [*before_kill.values(), *after.values()]}
    stored = [row["tracking_code"] for row in rows]
    # No report lost (every code a citizen got is stored), none doubled (one per key).
    assert set(stored) == told and len(stored) == BURST
    # Each assessment stored exactly once: it is the only change after submission.
    assert {row["version"] for row in rows} == {2}
    assert all(row["suggestions"] and row["assessed_at"] for row in rows)
