"""Deferred work claimed under a lease: the one mechanism behind the e-mail
outbox and the triage assessment that runs after a report is stored.

The work is a row that says it is due (a time column). A worker claims a
batch of due rows in ONE statement that also moves them out of reach until
the lease ends: on PostgreSQL the candidates are locked with `FOR UPDATE SKIP
LOCKED`, so two workers never claim the same row and neither waits for the
other; SQLite has one writer at a time, so the statement is atomic there.
A worker that dies (crash, deploy, kill -9) leaves its rows to come due again
when the lease ends. Whoever stores the result re-checks with a conditional
UPDATE that the row is still waiting, so work is stored once even when a
lease expired under a slow worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pakn.core import rawsql


@dataclass(frozen=True)
class Queue:
    """Where a kind of deferred work lives: `due` and `claim` are SQL with `?`
    placeholders (a WHERE condition and a SET list on `table`)."""

    table: str
    due: str
    order_by: str
    claim: str


async def claim(
    queue: Queue, due_params: Sequence[Any], claim_params: Sequence[Any], limit: int, returning: str = "id"
) -> list[int]:
    """Claim up to `limit` due rows, oldest first; the `returning` column of the
    rows won (their ids by default), in order."""
    client = rawsql.connection()
    if rawsql.is_postgres(client):
        sql = (
            f"WITH picked AS (SELECT id FROM {queue.table} WHERE {queue.due} ORDER BY {queue.order_by} "
            f"LIMIT ? FOR UPDATE SKIP LOCKED) "
            f"UPDATE {queue.table} AS t SET {queue.claim} FROM picked WHERE t.id = picked.id RETURNING t.{returning}"
        )
        params = [*due_params, limit, *claim_params]
    else:
        sql = (
            f"UPDATE {queue.table} SET {queue.claim} WHERE id IN "
            f"(SELECT id FROM {queue.table} WHERE {queue.due} ORDER BY {queue.order_by} LIMIT ?) RETURNING {returning}"
        )
        params = [*claim_params, *due_params, limit]
    rows = await rawsql.fetch(sql, params, client)
    return sorted(int(row[returning]) for row in rows)
