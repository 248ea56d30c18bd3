"""Drop the pg_trgm index on the spaced search copy: search reads only the
compact copy (pakn/models/search.py), and every report written or
assessed paid for keeping the unused index (bench/README.md, "Submission").
PostgreSQL only, as migration 0004 that made it."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

NAME = "feedback_search_text_trgm"


async def drop_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor._run_sql(f'DROP INDEX IF EXISTS "{NAME}"')


async def restore_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor._run_sql(
            f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "feedback" USING gin ("search_text" gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0006_deferred_tasks_and_report_sources")]

    initial = False

    operations = [ops.RunPython(drop_index, restore_index)]
