"""Indexes for search and duplicate search on PostgreSQL; nothing on SQLite.

The staff queue and the public feed search with LIKE '%…%' on the folded
column `search_compact` (and `search_text` may be searched the same way); a
B-tree cannot serve a pattern that starts with a wildcard, a pg_trgm GIN
index can. SQLite has no such index and scans, which the embedded default's
size allows. Rows written before intake filled `search_compact` get it from
`search_text` here (on PostgreSQL; SQLite databases are development copies).

`CREATE EXTENSION pg_trgm` needs a superuser (or, from PostgreSQL 13, a
database owner: pg_trgm is a trusted extension). Where the migrating role may
not, have an administrator run `CREATE EXTENSION pg_trgm;` once beforehand:
IF NOT EXISTS then makes this step a no-op. The same goes for the indexes on
a large, busy table: build them beforehand with CREATE INDEX CONCURRENTLY and
the names below, and this migration skips them instead of locking writes.

The point index (lat, lon) serves the duplicate search's bounding box at
intake. On SQLite that query reads the window's rows in table order instead.

No model state changes: the indexes are not Tortoise model indexes (Tortoise
cannot declare an operator class, and the point index is PostgreSQL's alone),
so the autodetector never sees them.
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = (
    ("feedback_search_text_trgm", 'USING gin ("search_text" gin_trgm_ops)'),
    ("feedback_search_compact_trgm", 'USING gin ("search_compact" gin_trgm_ops)'),
    # Duplicate search at intake reads the reports in a small box around the new
    # one: a B-tree on the point keeps that to the box's rows (bench/README.md).
    ("feedback_lat_lon", '("lat", "lon")'),
)


async def create_search_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    await schema_editor._run_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Reports stored before intake wrote the compact copy get it now: search reads only it.
    await schema_editor._run_sql(
        "UPDATE feedback SET search_compact = replace(search_text, ' ', '') WHERE search_compact = ''"
    )
    for name, definition in INDEXES:
        await schema_editor._run_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "feedback" {definition}')


async def drop_search_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.client.capabilities.dialect != "postgres":
        return
    for name, _ in INDEXES:
        await schema_editor._run_sql(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("models", "0003_deadlines_outbox_open311_triage")]

    initial = False

    operations = [ops.RunPython(create_search_indexes, drop_search_indexes)]
