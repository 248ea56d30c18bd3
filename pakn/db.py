"""The database: Tortoise configuration, start-up and migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api.migrate import migrate as run_migrations

from pakn.settings import Settings

APP_LABEL = "models"
MODELS_MODULE = "pakn.models"
MIGRATIONS_MODULE = "pakn.migrations"


def database_url(settings: Settings) -> str:
    """The configured URL with this service's connection defaults added."""
    parts = urlsplit(settings.database_url)
    query = dict(parse_qsl(parts.query))
    if settings.is_sqlite:
        query.setdefault("busy_timeout", "10000")
    else:
        query.setdefault("maxsize", str(settings.db_pool_size))
    return urlunsplit(parts._replace(query=urlencode(query)))


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


def connection_config(settings: Settings) -> str | dict[str, Any]:
    url = database_url(settings)
    if settings.is_sqlite:
        return url
    config = expand_db_url(url)
    config["credentials"]["connection_class"] = QuietResetConnection
    return config


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(settings)},
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
    if settings.is_sqlite:
        path = settings.database_url.removeprefix("sqlite://").split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


async def migrate(settings: Settings) -> None:
    """Bring the database to the latest committed migration."""
    ensure_sqlite_directory(settings)
    await run_migrations(config=tortoise_config(settings))


async def open_database(settings: Settings) -> None:
    ensure_sqlite_directory(settings)
    # The global fallback lets scheduler jobs and test tasks, which run outside
    # the request's context, use the same connections.
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


async def pending_migrations(settings: Settings) -> list[str]:
    """Names of committed migrations not yet applied (the database must be open)."""
    from tortoise.connection import get_connection
    from tortoise.migrations.executor import MigrationExecutor

    apps = tortoise_config(settings)["apps"]
    executor = MigrationExecutor(get_connection("default"), apps)
    return [step.migration.name for step in await executor.plan() if not step.backward]
