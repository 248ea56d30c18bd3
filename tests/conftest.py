"""Shared fixtures: one database per test process, the real app, an HTTP client.

The database is chosen by PAKN_TEST_DATABASE_URL (default: a SQLite file in a
temporary folder). `.ci/run` runs the suite once on SQLite and once on
PostgreSQL, in separate processes (Tortoise caches SQL per connection name).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher, profiles
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from tortoise import connections

from pakn import db
from pakn.accounts import passwords
from pakn.app import create_app
from pakn.models import Agency
from pakn.settings import Settings
from tests.served import postgres_urls, recreate_database

# Tables that tests write; reference data (categories, admin units) stays.
WRITTEN_TABLES = (
    "deadline_notice",
    "outbox_message",
    "deferred_task",
    "triage_model",
    "rating",
    "attachment",
    "supplement",
    "feedback_event",
    "idempotency_record",
    "feedback",
    "device",
    "staff_token",
    "staff_user",
    "sign_in_throttle",
    "api_client",
)


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker has a PostgreSQL database of its own,
    `<PAKN_TEST_DATABASE_URL's database>_<worker>`, made afresh; set in the
    environment so that servers the tests start (`<that>_served`...) follow it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("PAKN_TEST_DATABASE_URL", "")
    if worker and not url.startswith("sqlite") and url:
        os.environ["PAKN_TEST_DATABASE_URL"] = asyncio.run(_worker_database(url, worker))


async def _worker_database(url: str, worker: str) -> str:
    worker_url, admin, name = postgres_urls(url, worker)
    await recreate_database(admin, name)
    return worker_url


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Argon2id at its cheapest in the test process (50 µs a hash instead of
    50–150 ms; hundreds of staff accounts sign in). `pakn serve` and the other
    commands the tests start keep the real cost."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
        passwords._dummy_hash.cache_clear()
        yield
    passwords._dummy_hash.cache_clear()


def _database_url(tmp: Path) -> str:
    return os.environ.get("PAKN_TEST_DATABASE_URL") or f"sqlite://{tmp}/pakn-test.sqlite3"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("pakn")
    return Settings(
        database_url=_database_url(tmp),
        var_dir=tmp / "var",
        media_dir=tmp / "media",
        secret_key="test-secret-key-not-for-production",
        config=None,
        scheduler_enabled=False,  # tests run jobs themselves, as of the instant they choose
        # One test client sends everything; tests/e2e/test_rate_limits.py builds apps with limits.
        rate_limits={"enabled": False},
    )


async def _reset_postgres(url: str) -> None:
    dsn = url.replace("asyncpg://", "postgres://", 1).split("?", 1)[0]
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def database(settings: Settings) -> AsyncIterator[Settings]:
    """A database migrated from scratch with the committed migrations."""
    if not settings.is_sqlite:
        await _reset_postgres(settings.database_url)
    await db.migrate(settings)
    await db.close_database()
    await db.open_database(settings)
    yield settings
    await db.close_database()


@pytest.fixture(scope="session")
async def app(database: Settings) -> AsyncIterator[Starlette]:
    application = create_app(database, manage_database=False)
    async with LifespanManager(application):
        yield application


async def clear_written_tables(settings: Settings) -> None:
    connection = connections.get("default")
    if settings.is_sqlite:
        # SQLite checks RESTRICT row by row: unlink duplicates from their originals first.
        await connection.execute_script("UPDATE feedback SET duplicate_of_id = NULL;")
        for table in WRITTEN_TABLES:
            await connection.execute_script(f"DELETE FROM {table};")
    else:
        await connection.execute_script(f"TRUNCATE {', '.join(WRITTEN_TABLES)} RESTART IDENTITY CASCADE;")


async def restore_agencies(settings: Settings) -> None:
    """Agencies as configured: tests add and edit them through the admin API."""
    await Agency.exclude(code__in=[agency.code for agency in settings.agencies]).delete()
    now = datetime.now(UTC)
    rows = [Agency(**agency.model_dump(), created_at=now, updated_at=now) for agency in settings.agencies]
    await Agency.bulk_create(rows, on_conflict=["code"], update_fields=["name", "emails", "is_active"])


@pytest.fixture
async def clean_db(app: Starlette, settings: Settings) -> AsyncIterator[None]:
    yield
    await clear_written_tables(settings)
    await restore_agencies(settings)
    shutil.rmtree(settings.media_dir, ignore_errors=True)


@pytest.fixture
async def client(app: Starlette, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pakn.test") as http:
        yield http


@pytest.fixture
def backend(settings: Settings) -> str:
    return "sqlite" if settings.is_sqlite else "postgres"
