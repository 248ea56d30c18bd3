"""What every `pakn` command shares: settings or one clear line, the database
checked before a command starts, one line per refusal, plain-text tables.

A low module: the domains' command modules (`*/cli.py`) use it, and `pakn/cli.py`
only assembles them into the `pakn` command. A database that cannot be used
(unreachable, refused credentials, no such database, pending migrations) is one
line on stderr and exit status 2. Only the commands in CREATES_DATABASE create an
embedded SQLite database that does not exist yet; the others (`pakn stats` ...)
say it is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime

from pydantic import ValidationError

from pakn import __version__, db
from pakn.core.problems import Problem
from pakn.settings import Settings, defaults_file, describe_settings_error

CREATES_DATABASE = frozenset({"serve", "scheduler", "migrate", "user create", "apikey create"})
_may_create: ContextVar[bool] = ContextVar("may_create", default=False)
log = logging.getLogger("pakn")
RAW = argparse.RawDescriptionHelpFormatter  # help texts keep their lines (Vietnamese, then English)
Action = Callable[[datetime], Awaitable[int]]


def starting(command: str) -> None:
    """Which command runs: it decides whether a missing embedded database may be created."""
    _may_create.set(command in CREATES_DATABASE)


def load_settings() -> Settings:
    """The settings, or one clear line naming the bad one and exit status 2."""
    try:
        return Settings()
    except (ValidationError, ValueError) as exc:
        fail(describe_settings_error(exc))
        raise SystemExit(2) from None


def fail(message: object) -> None:
    print(f"pakn: {message}", file=sys.stderr)


def describe(problem: Problem) -> str:
    """A refusal of a service as one line, Vietnamese then English."""
    if problem.errors:
        return "; ".join(f"{error.field}: {error.message_vi} / {error.message_en}" for error in problem.errors)
    return f"{problem.detail_vi or problem.title_vi} / {problem.detail_en or problem.title_en}"


def run(action: Action, settings: Settings | None = None) -> int:
    """Runs `action(now)` against the configured database, checked first; a
    refusal from the service is one line and status 1."""
    settings = settings or load_settings()
    database_ready(settings)
    return asyncio.run(_with_database(settings, action))


async def _with_database(settings: Settings, action: Action) -> int:
    await db.open_database(settings)
    try:
        return await action(datetime.now(settings.tz))
    except Problem as problem:
        fail(describe(problem))
        return 1
    finally:
        await db.close_database()


def log_start(settings: Settings, command: str) -> None:
    """One line with what an operator needs to know: which database, files and configuration."""
    fields = {
        "version": __version__,
        "database": db.describe_database(settings),
        "var_dir": str(settings.var_dir),
        "media_dir": str(settings.media_dir),
        "config": [str(path) for path in (defaults_file(), settings.config) if path is not None],
    }
    log.info(f"pakn {command} starting", extra={"fields": fields})


def database_ready(settings: Settings) -> None:
    """Checks the database is reachable and current, migrating the embedded
    SQLite one (those of PostgreSQL are run deliberately, by `pakn migrate`).
    Otherwise one line and exit status 2."""
    try:
        asyncio.run(_prepare(settings, _may_create.get()))
    except db.DatabaseFault as fault:
        fail(fault)
        raise SystemExit(2) from None


async def _prepare(settings: Settings, may_create: bool) -> None:
    await db.check_database(settings, may_create=may_create)
    if settings.is_sqlite:
        await migrate(settings)
        return
    await db.open_database(settings)
    try:
        pending = await db.pending_migrations(settings)
    finally:
        await db.close_database()
    if pending:
        raise db.DatabaseFault(
            "cơ sở dữ liệu chưa được cập nhật, hãy chạy `pakn migrate` / "
            f"database has unapplied migrations ({', '.join(pending)}): run `pakn migrate`"
        )


async def migrate(settings: Settings, *, check: bool = False) -> list[str]:
    """Applies the pending migrations; returns their names."""
    if check:
        await db.check_database(settings, may_create=True)
    try:
        return await db.migrate(settings)
    finally:
        # Migrating leaves its connections open; an open SQLite connection's
        # thread would keep the process from exiting.
        await db.close_database()


def database_fault(exc: Exception) -> object | None:
    """The one-line fault `exc` stands for when the database failed mid-command."""
    return db.fault_of(exc, load_settings())
