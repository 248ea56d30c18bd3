"""The database stopped or frozen under a running `pakn serve`: each route
answers 503 with Retry-After in bounded time, and the service recovers when the
database is back, without a restart.

The server is a PostgreSQL instance of this test's own (tests/own_postgres.py),
whatever PAKN_TEST_DATABASE_URL says: stopping or freezing the shared server
would break every other test. So the test runs the same under both suites.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests import commands
from tests.factories import feedback_body, new_key
from tests.own_postgres import OwnPostgres, own_postgres
from tests.served import Served, launch, server_env, stop, wait_until_ready

PASSWORD = "mật-khẩu-sự-cố-2026"
# Short bounds, so the frozen case is quick; README gives the defaults.
TIMEOUTS = {
    "PAKN_DB_CONNECT_TIMEOUT_SECONDS": "2",
    "PAKN_DB_ACQUIRE_TIMEOUT_SECONDS": "2",
    "PAKN_DB_COMMAND_TIMEOUT_SECONDS": "3",
    "PAKN_DB_RETRY_AFTER_SECONDS": "7",
}
# A request on a frozen database: at most a command timeout and a release (acquire) timeout.
FROZEN_BOUND = 3 + 2 + 2.5


class Service:
    def __init__(self, served: Served, postgres: OwnPostgres, token: str, api_key: str) -> None:
        self.served, self.postgres, self.token, self.api_key = served, postgres, token, api_key

    def requests(self, http: httpx.AsyncClient) -> dict[str, asyncio.Future[httpx.Response]]:
        """Submit, public feed, staff queue and Open311, at once."""
        calls = {
            "submit": http.post("/api/v1/feedback", json=feedback_body(), headers=new_key()),
            "public feed": http.get("/api/v1/feedback/public"),
            "staff queue": http.get("/api/v1/staff/feedback", headers={"Authorization": f"Bearer {self.token}"}),
            "open311": http.get("/open311/v2/requests.json"),
        }
        return {name: asyncio.ensure_future(call) for name, call in calls.items()}


@pytest.fixture(scope="module")
async def service(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    tmp = tmp_path_factory.mktemp("outage")
    with own_postgres() as postgres:
        env = server_env(
            tmp, postgres.url(), PAKN_SCHEDULER_ENABLED="false", PAKN_RATE_LIMITS='{"enabled": false}', **TIMEOUTS
        )
        assert commands.pakn(env, "migrate").returncode == 0
        created = commands.pakn(
            env, "user", "create", "dieu.phoi", "--role", "coordinator", "--password-stdin", stdin=PASSWORD
        )
        assert created.returncode == 0, created.stderr
        key = commands.pakn(env, "apikey", "create", "outage-test")
        assert key.returncode == 0, key.stderr
        served = launch(tmp, env)
        try:
            await wait_until_ready(served)
            async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as http:
                signed_in = await http.post("/api/v1/auth/token", json={"username": "dieu.phoi", "password": PASSWORD})
                assert signed_in.status_code == 200, signed_in.text
            yield Service(served, postgres, signed_in.json()["access_token"], key.stdout.strip())
        finally:
            stop(served.process)


async def replies_while(service: Service) -> tuple[dict[str, httpx.Response], float]:
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=service.served.base_url, timeout=60) as http:
        calls = service.requests(http)
        replies = {name: await call for name, call in calls.items()}
    return replies, time.monotonic() - started


def assert_unavailable(replies: dict[str, httpx.Response]) -> None:
    for name, reply in replies.items():
        assert reply.status_code == 503, f"{name}: {reply.status_code} {reply.text}"
        assert reply.headers["Retry-After"] == "7", name
        if name == "open311":  # Open311's own error format: a list of {code, description}
            assert reply.headers["content-type"].startswith("application/json")
            assert reply.json()[0]["code"] == 503
        else:
            assert reply.headers["content-type"] == "application/problem+json", name
            assert reply.json()["type"].endswith("/database-unavailable"), name


async def assert_recovers(service: Service) -> None:
    """Ready again within seconds of the database's return, and serving."""
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(base_url=service.served.base_url, timeout=30) as http:
        while (await http.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, "not ready 30 s after the database came back"
            await asyncio.sleep(0.5)
        replies = {name: await call for name, call in service.requests(http).items()}
    assert replies["submit"].status_code == 201, replies["submit"].text
    assert all(reply.status_code == 200 for name, reply in replies.items() if name != "submit"), replies


async def test_a_stopped_database_is_a_503_with_retry_after_on_every_route(service: Service) -> None:
    since = service.served.log.stat().st_size
    service.postgres.stop()
    try:
        replies, seconds = await replies_while(service)
        assert_unavailable(replies)
        assert seconds < FROZEN_BOUND
        async with httpx.AsyncClient(base_url=service.served.base_url, timeout=30) as http:
            assert (await http.get("/readyz")).status_code == 503
    finally:
        service.postgres.start()
    await assert_recovers(service)
    assert service.served.errors_logged(since) == []  # a warning per request, no tracebacks


async def test_a_frozen_database_fails_requests_in_bounded_time_and_readyz_in_two_seconds(service: Service) -> None:
    service.postgres.signal_all(signal.SIGSTOP)
    try:
        started = time.monotonic()
        async with httpx.AsyncClient(base_url=service.served.base_url, timeout=60) as http:
            ready = await http.get("/readyz")
        assert ready.status_code == 503
        assert time.monotonic() - started < 2.5
        replies, seconds = await replies_while(service)
        assert_unavailable(replies)
        assert seconds < FROZEN_BOUND, f"{seconds:.1f} s on a frozen database"
    finally:
        service.postgres.signal_all(signal.SIGCONT)
    await assert_recovers(service)


async def test_a_write_that_meets_a_locked_sqlite_database_is_a_503_with_retry_after(tmp_path: Path) -> None:
    """The embedded database's own outage: another process holds the write lock
    past the busy timeout (shortened here to half a second)."""
    path = tmp_path / "locked.sqlite3"
    env = server_env(tmp_path, f"sqlite://{path}?busy_timeout=500", PAKN_SCHEDULER_ENABLED="false", **TIMEOUTS)
    served = launch(tmp_path, env)
    try:
        await wait_until_ready(served)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as http:
                locked = await http.post("/api/v1/feedback", json=feedback_body(), headers=new_key())
                assert locked.status_code == 503, locked.text
                assert locked.headers["Retry-After"] == "7"
                assert locked.json()["type"].endswith("/database-unavailable")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as http:
            assert (await http.post("/api/v1/feedback", json=feedback_body(), headers=new_key())).status_code == 201
        assert served.errors_logged() == []
    finally:
        stop(served.process)
