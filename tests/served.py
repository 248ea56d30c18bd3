"""The service as it is deployed, for end-to-end tests: `pakn serve` in a
subprocess on a free port of 127.0.0.1, on a database of its own.

On SQLite the served database is a fresh file; when PAKN_TEST_DATABASE_URL is
a PostgreSQL URL it is `<that database>_<suffix>` on the same server, created
afresh and migrated with `pakn migrate` (serve refuses pending migrations
there), and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0  # uvicorn's graceful shutdown allows 15 s


@dataclass(frozen=True)
class Served:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path
    tmp: Path
    # The server's environment: run `pakn` commands with it to reach the same database.
    env: dict[str, str] = field(default_factory=dict)

    def errors_logged(self, since: int = 0) -> list[str]:
        """The server's error records (JSON lines) after byte `since` of its log."""
        with self.log.open("rb") as handle:
            handle.seek(since)
            lines = handle.read().decode("utf-8", "replace").splitlines()
        errors = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                if "Traceback" in line or "Error" in line:
                    errors.append(line)
                continue
            if record.get("level") in ("error", "critical"):
                errors.append(f"{record.get('message')}\n{record.get('exception', '')}")
        return errors

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])

    def pakn(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """A `pakn` command against the served database."""
        return subprocess.run(
            [sys.executable, "-m", "pakn.cli", *args],
            input=stdin,
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_urls(test_url: str, suffix: str) -> tuple[str, str, str]:
    """(served URL, admin DSN, served database name) next to the test database."""
    parts = urlsplit(test_url)
    test_db = parts.path.lstrip("/") or "postgres"
    served_db = f"{test_db}_{suffix}"
    served_url = urlunsplit(parts._replace(path=f"/{served_db}"))
    # Connected to the test database (it exists) to drop and create the other.
    admin = urlunsplit(parts._replace(scheme="postgres", query=""))
    return served_url, admin, served_db


async def recreate_database(admin_dsn: str, name: str, *, create: bool = True) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        quoted = '"' + name.replace('"', '""') + '"'
        await connection.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        if create:
            await connection.execute(f"CREATE DATABASE {quoted}")
    finally:
        await connection.close()


def server_env(tmp: Path, database_url: str, **settings: str) -> dict[str, str]:
    """The environment less any PAKN_ setting of the caller's, plus these."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAKN_")}
    env.update(
        PAKN_DATABASE_URL=database_url,
        PAKN_VAR_DIR=str(tmp / "var"),
        PAKN_MEDIA_DIR=str(tmp / "media"),
        PAKN_SECRET_KEY="served-secret-not-for-production",
        PAKN_LOG_LEVEL="info",
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


async def wait_until_ready(served: Served) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    async with httpx.AsyncClient(base_url=served.base_url, timeout=2.0) as http:
        while True:
            if served.process.poll() is not None:
                pytest.fail(
                    f"pakn serve exited with status {served.process.returncode} before it was ready:\n"
                    + served.log_tail()
                )
            if served.errors_logged():
                # A failed start-up may leave the process running (a failed
                # migration keeps its database thread alive): fail now, not in 60 s.
                pytest.fail("pakn serve failed to start:\n" + served.log_tail())
            try:
                if (await http.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"pakn serve not ready after {READY_TIMEOUT:.0f} s:\n" + served.log_tail())
            await asyncio.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> int | None:
    """SIGTERM, then wait; SIGKILL when it does not stop in time (returns None then)."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        return None


def launch(tmp: Path, env: dict[str, str], log_name: str = "server.log") -> Served:
    """`pakn serve` started (not yet ready) on a free port with this environment."""
    port = free_port()
    log = tmp / log_name
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "pakn.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return Served(f"http://127.0.0.1:{port}", process, log, tmp, env)


@asynccontextmanager
async def serve(tmp: Path, suffix: str = "served", **settings: str) -> AsyncIterator[Served]:
    """`pakn serve` until the block ends; `settings` are extra PAKN_* variables."""
    test_url = os.environ.get("PAKN_TEST_DATABASE_URL", "")
    postgres = test_url.startswith(("postgres://", "postgresql://", "asyncpg://", "psycopg://"))
    if postgres:
        database_url, admin_dsn, served_db = postgres_urls(test_url, suffix)
        await recreate_database(admin_dsn, served_db)
    else:
        database_url = f"sqlite://{(tmp / f'{suffix}.sqlite3').resolve()}"
    env = server_env(tmp, database_url, **settings)
    if postgres:
        migrate = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "pakn.cli", "migrate"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert migrate.returncode == 0, f"pakn migrate failed:\n{migrate.stdout}\n{migrate.stderr}"

    served = launch(tmp, env)
    try:
        await wait_until_ready(served)
        yield served
    finally:
        stop(served.process)
        if postgres:
            await recreate_database(admin_dsn, served_db, create=False)
