"""The database: Tortoise configuration, start-up checks and migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connection
from tortoise.migrations.api.migrate import migrate as run_migrations
from tortoise.migrations.executor import MigrationExecutor, PlanStep

from pakn.core.outage import database_unavailable
from pakn.settings import Settings

APP_LABEL = "models"
MODELS_MODULE = "pakn.models"
MIGRATIONS_MODULE = "pakn.migrations"
ENGINE = "pakn.db.engine"  # asyncpg with a bounded pool acquire


def sqlite_file(settings: Settings) -> Path | None:
    """The SQLite file, absolute; None for PostgreSQL and in-memory databases.
    `sqlite:////abs/path` (four slashes) is read as `/abs/path`: SQLite itself
    would take `//abs/path` for a network path and never answer."""
    if not settings.is_sqlite:
        return None
    path = settings.database_url.removeprefix("sqlite://").split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path("/" + path.lstrip("/") if path.startswith("/") else path).resolve()


def database_url(settings: Settings) -> str:
    """The configured URL with this service's connection defaults added."""
    parts = urlsplit(settings.database_url)
    query = dict(parse_qsl(parts.query))
    if settings.is_sqlite:
        query.setdefault("busy_timeout", "10000")
        path = sqlite_file(settings)
        if path is not None:
            return f"sqlite://{path}?{urlencode(query)}"
    else:
        query.setdefault("maxsize", str(settings.db_pool_size))
    return urlunsplit(parts._replace(query=urlencode(query)))


def describe_database(settings: Settings) -> str:
    """The database in use, for logs and messages: a path, or host:port/name without the password."""
    path = sqlite_file(settings)
    if settings.is_sqlite:
        return f"sqlite {path or ':memory:'}"
    credentials = expand_db_url(database_url(settings))["credentials"]
    user, host, port, name = (credentials.get(key) for key in ("user", "host", "port", "database"))
    return f"postgres {user}@{host}:{port}/{name}"


class QuietResetConnection(asyncpg.connection.Connection):  # type: ignore[misc]
    """A pooled connection returned without asyncpg's reset statement.

    On release asyncpg runs `SELECT pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL;`: a round trip on every request (a third of the
    statements a submission sends, bench/README.md). This service takes only
    transaction-scoped advisory locks (the deadline sweep's, released at commit
    or rollback), keeps no cursors or listeners and changes no session
    settings, so there is nothing to reset."""

    def get_reset_query(self) -> str:
        return ""


def connection_config(settings: Settings, *, command_timeout: bool = True) -> str | dict[str, Any]:
    """Without `command_timeout`, statements may run as long as they need (migrations)."""
    url = database_url(settings)
    if settings.is_sqlite:
        return url
    config = expand_db_url(url)
    config["engine"] = ENGINE
    credentials = config["credentials"]
    credentials["connection_class"] = QuietResetConnection
    credentials["timeout"] = settings.db_connect_timeout_seconds  # asyncpg's connect timeout
    credentials["acquire_timeout"] = settings.db_acquire_timeout_seconds  # pakn/db/engine.py
    if command_timeout:
        credentials["command_timeout"] = settings.db_command_timeout_seconds
    return config


def tortoise_config(settings: Settings, *, command_timeout: bool = True) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(settings, command_timeout=command_timeout)},
        "apps": {
            APP_LABEL: {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def ensure_sqlite_directory(settings: Settings) -> None:
    path = sqlite_file(settings)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


async def migrate(settings: Settings) -> list[str]:
    """Bring the database to the latest committed migration; the names applied."""
    applied: list[str] = []

    def note(connection_name: str, plan: list[PlanStep], fake: bool, dry_run: bool) -> None:
        applied.extend(step.migration.name for step in plan if not step.backward)

    ensure_sqlite_directory(settings)
    await run_migrations(config=tortoise_config(settings, command_timeout=False), reporter=note)
    return applied


async def open_database(settings: Settings) -> None:
    ensure_sqlite_directory(settings)
    # The global fallback lets scheduler jobs and test tasks, which run outside
    # the request's context, use the same connections.
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


async def pending_migrations(settings: Settings) -> list[str]:
    """Names of committed migrations not yet applied (the database must be open)."""
    apps = tortoise_config(settings)["apps"]
    executor = MigrationExecutor(get_connection("default"), apps)
    return [step.migration.name for step in await executor.plan() if not step.backward]


class DatabaseFault(Exception):
    """The configured database cannot be used; the message is one line for the operator."""


async def check_database(settings: Settings, *, may_create: bool) -> None:
    """Raise DatabaseFault unless the database can be reached and signed in to;
    an embedded SQLite file that does not exist is created only if `may_create`."""
    if settings.is_sqlite:
        path = sqlite_file(settings)
        if path is not None and not path.exists() and not may_create:
            raise DatabaseFault(
                f"chưa có cơ sở dữ liệu {path}, hãy chạy `pakn migrate` / "
                f"no database at {path}: run `pakn migrate` (or set PAKN_VAR_DIR, PAKN_DATABASE_URL)"
            )
        return
    credentials = expand_db_url(database_url(settings))["credentials"]
    # Signed in as the pool will be: the same server, role, database and TLS.
    params = {key: credentials.get(key) for key in ("host", "port", "user", "password", "database")}
    if "ssl" in credentials:
        params["ssl"] = credentials["ssl"]
    try:
        connection = await asyncpg.connect(**params, timeout=settings.db_connect_timeout_seconds)
    except Exception as exc:
        raise fault_of(exc, settings) or exc from None
    await connection.close()


def fault_of(exc: BaseException, settings: Settings) -> DatabaseFault | None:
    """The operator's one line for a failure to use the database; None for other errors."""
    where = describe_database(settings)
    if isinstance(exc, DatabaseFault):
        return exc
    cause = _root(exc)
    if isinstance(cause, asyncpg.InvalidCatalogNameError):
        return DatabaseFault(
            f"không có cơ sở dữ liệu này / no such database: {where} ({cause}); create it, then run `pakn migrate`"
        )
    if isinstance(cause, asyncpg.InvalidAuthorizationSpecificationError):
        return DatabaseFault(
            f"cơ sở dữ liệu từ chối đăng nhập / the database refused the credentials: {where} ({cause})"
        )
    if isinstance(cause, sqlite3.OperationalError) and "unable to open" in str(cause):
        return DatabaseFault(f"không mở được cơ sở dữ liệu / cannot open the database: {where} ({cause})")
    if database_unavailable(exc):
        reason = str(cause) or type(cause).__name__
        return DatabaseFault(f"không kết nối được cơ sở dữ liệu / database unreachable: {where} ({reason})")
    return None


def _root(exc: BaseException) -> BaseException:
    """The first error of the chain: what asyncpg or sqlite3 said, under Tortoise's wrapping."""
    seen = {id(exc)}
    while (inner := exc.__cause__ or exc.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        exc = inner
    return exc
