"""The committed migrations produce exactly the schema the models describe."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from pakn.db import pending_migrations, tortoise_config
from pakn.settings import Settings


async def test_the_models_need_no_new_migration(database: Settings) -> None:
    apps_config = tortoise_config(database)["apps"]
    detector = MigrationAutodetector(Tortoise.apps, apps_config)
    changes = await detector.changes()
    assert changes == [], [writer.name for writer in changes]


async def test_the_test_database_is_fully_migrated(database: Settings) -> None:
    assert await pending_migrations(database) == []
