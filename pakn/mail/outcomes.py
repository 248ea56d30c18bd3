"""What became of a claimed outbox row, recorded on it: sent, queued again
after a backoff, or failed. Every update is conditional on the row still being
claimed (`sending`): after a lease expired under a slow sender, another
flusher may own it, and the first to record wins."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from pakn.models import OutboxMessage
from pakn.settings import MailConfig

log = logging.getLogger("pakn.mail")
MAX_ERROR = 2000
MAX_MESSAGE_ID = 255  # the column's length


@dataclass
class FlushResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    waiting: int = 0  # rows of a channel without a provider, marked as such in this flush

    def __str__(self) -> str:
        return f"sent={self.sent} retried={self.retried} failed={self.failed} waiting={self.waiting}"


def backoff(attempts: int, config: MailConfig) -> timedelta:
    """Wait before the next try after `attempts` tries: base × 2^(attempts−1), capped."""
    seconds = config.backoff_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config.backoff_max_seconds))


def one_line(text: str) -> str:
    """An error as operators read it: one line, bounded."""
    return " ".join(text.split())[:MAX_ERROR]


async def sent(row: OutboxMessage, now: datetime, result: FlushResult, *, note: str | None, message_id: str) -> None:
    await (
        OutboxMessage.filter(id=row.id)
        .exclude(status="sent")
        .update(status="sent", sent_at=now, locked_until=None, last_error=note, message_id=message_id[:MAX_MESSAGE_ID])
    )
    result.sent += 1
    log.info("message sent", extra={"fields": {"outbox_id": row.id, "kind": row.kind, "channel": row.channel}})


async def retry_later(
    row: OutboxMessage,
    error: str,
    now: datetime,
    config: MailConfig,
    result: FlushResult,
    retry_after: float | None = None,
) -> None:
    """Queued again after the backoff, or after `retry_after` seconds when the
    provider asked for longer; failed once the last try is spent."""
    if row.attempts >= config.max_attempts:
        await failed(row, error, result)
        return
    wait = max(backoff(row.attempts, config), timedelta(seconds=retry_after or 0))
    await OutboxMessage.filter(id=row.id, status="sending").update(
        status="queued", next_attempt_at=now + wait, locked_until=None, last_error=one_line(error)
    )
    result.retried += 1
    _warn(row, error, final=False)


async def failed(row: OutboxMessage, error: str, result: FlushResult) -> None:
    """Failed for good: it is not tried again unless an operator asks (`pakn outbox retry`)."""
    await OutboxMessage.filter(id=row.id, status="sending").update(
        status="failed", locked_until=None, last_error=one_line(error)
    )
    result.failed += 1
    _warn(row, error, final=True)


def _warn(row: OutboxMessage, error: str, *, final: bool) -> None:
    fields = {
        "outbox_id": row.id,
        "channel": row.channel,
        "attempts": row.attempts,
        "final": final,
        "error": one_line(error),
    }
    log.warning("message failed", extra={"fields": fields})
