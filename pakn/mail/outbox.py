"""Queueing messages: one outbox row per message and channel (e-mail, push,
Web Push, SMS, Zalo ZNS), named by its dedupe key.

The row is written in the same transaction as the change that causes the mail,
so a rolled-back change queues nothing, and the sender delivers it after commit.
The unique `dedupe_key` decides whether a message is new: two jobs, two
schedulers or a retried request that queue the same message end with one row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from pakn.models import OutboxMessage

MAX_SUBJECT = 500  # the column's length
EMAIL = "email"
# Every channel a message may go by: e-mail, and the citizen's others (pakn.notify).
CHANNELS = (EMAIL, "push", "webpush", "sms", "zns")


async def enqueue(
    *,
    dedupe_key: str,
    kind: str,
    recipients: list[str],
    subject: str,
    text: str,
    html: str | None,
    now: datetime,
    connection: BaseDBAsyncClient | None = None,
    channel: str = EMAIL,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Queue one message unless `dedupe_key` is queued already; True if inserted.

    Pass the caller's transaction as `connection` to queue inside it."""
    if not recipients:
        return False
    row = message_row(dedupe_key, kind, recipients, subject, text, html, now, channel=channel, payload=payload)
    return await insert_message(row, connection)


async def insert_message(row: dict[str, Any], connection: BaseDBAsyncClient | None = None) -> bool:
    """Insert a `message_row` unless its key is taken; True if inserted.

    The insert runs in a savepoint: a duplicate key rolls back only the savepoint (on
    PostgreSQL a failed statement would otherwise abort the caller's transaction),
    and a concurrent transaction inserting the same key makes this one wait for
    it and then lose, so the database, not a prior read, decides.
    """
    context = connection._in_transaction() if connection is not None else in_transaction()
    try:
        async with context as savepoint:
            await OutboxMessage.create(using_db=savepoint, **row)
    except IntegrityError:
        # Only a taken key means "already queued"; any other violation is a bug.
        if await OutboxMessage.filter(dedupe_key=row["dedupe_key"]).using_db(connection).exists():
            return False
        raise
    return True


def message_row(
    dedupe_key: str,
    kind: str,
    recipients: list[str],
    subject: str,
    text: str,
    html: str | None,
    now: datetime,
    *,
    channel: str = EMAIL,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The fields of a queued message, for `enqueue` and for writers that insert
    the row in a statement of their own (the one-statement submission)."""
    return {
        "dedupe_key": dedupe_key,
        "kind": kind,
        "channel": channel,
        "payload": payload,
        "recipients": list(recipients),
        "subject": subject[:MAX_SUBJECT],
        "body_text": text,
        "body_html": html,
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": now.astimezone(UTC),
        "created_at": now.astimezone(UTC),
    }
