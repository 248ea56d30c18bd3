"""Idempotency records expire: they exist so that a phone's retries of one
submission never make two reports, and a phone retries for as long as it was
offline (hours, a few days in a flood), not for ever. After `retention`
(7 days by default, `[retention] idempotency_days`) a record is deleted; a
retry even later would be taken as a new report.

Deleted in batches, each one bounded statement (its own transaction), so that
a backlog of millions neither holds a long lock nor fills the WAL at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pakn.core import rawsql
from pakn.models import IdempotencyRecord

_TABLE = IdempotencyRecord._meta.db_table
# The oldest first, through the created_at index; one statement on both databases.
_DELETE_BATCH = (
    f"DELETE FROM {_TABLE} WHERE id IN (SELECT id FROM {_TABLE} WHERE created_at < ? ORDER BY created_at LIMIT ?)"
)


async def expire_idempotency_records(now: datetime, *, retention: timedelta, batch_size: int) -> int:
    """Delete the records created before `now - retention`; how many."""
    cutoff = rawsql.value(IdempotencyRecord, "created_at", now - retention)
    client = rawsql.connection()
    deleted = 0
    while True:
        count, _ = await client.execute_query(rawsql.numbered(_DELETE_BATCH, client), [cutoff, batch_size])
        deleted += count
        if count < batch_size:
            return deleted
