"""What operators read and do about the outbox (`pakn outbox`, `pakn mail`):
counts per channel and state, the messages that wait or failed with their last
error, and sending one again."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.functions import Count

from pakn.core.problems import Problem, conflict, not_found
from pakn.mail.outbox import CHANNELS
from pakn.models import OutboxMessage

STATUSES = ("queued", "sending", "sent", "failed")
# As operators read them: "retrying" is a queued message that has been tried.
STATES = ("queued", "retrying", "sending", "sent", "failed")


async def count_by_status(channel: str | None = None) -> dict[str, int]:
    """Messages per status (of one channel, or all), every status present."""
    counts = dict.fromkeys(STATUSES, 0)
    query = OutboxMessage.all() if channel is None else OutboxMessage.filter(channel=channel)
    rows = await query.annotate(n=Count("id")).group_by("status").values_list("status", "n")
    for status, n in rows:
        counts[str(status)] = int(n)
    return counts


async def count_by_channel() -> dict[str, dict[str, int]]:
    """Per channel (the five always, others as found), messages per state:
    queued and never tried, retrying (queued after a try), sending, sent, failed."""
    counts = {channel: dict.fromkeys(STATES, 0) for channel in CHANNELS}
    grouped = OutboxMessage.annotate(n=Count("id")).group_by("channel", "status")
    for channel, status, n in await grouped.values_list("channel", "status", "n"):
        counts.setdefault(str(channel), dict.fromkeys(STATES, 0))[str(status)] = int(n)
    tried = OutboxMessage.filter(status="queued", attempts__gt=0).annotate(n=Count("id")).group_by("channel")
    for channel, n in await tried.values_list("channel", "n"):
        counts[str(channel)]["retrying"] = int(n)
        counts[str(channel)]["queued"] -= int(n)
    return counts


async def failed_messages(limit: int, channel: str | None = None) -> list[OutboxMessage]:
    """The most recent failures first: what an operator looks at."""
    query = OutboxMessage.filter(status="failed")
    if channel is not None:
        query = query.filter(channel=channel)
    return await query.order_by("-id").limit(limit)


async def waiting_messages(limit: int) -> list[OutboxMessage]:
    """Queued messages with an error: retrying after a failed try, or waiting
    for their channel to be configured. Those waiting longest first."""
    query = OutboxMessage.filter(status="queued", last_error__isnull=False)
    return await query.order_by("next_attempt_at", "id").limit(limit)


async def retry_message(message_id: int, now: datetime) -> OutboxMessage:
    """Put a failed or waiting message back in the queue, due now, with its
    tries counted afresh. Refused (a Problem) for one sent or being sent."""
    row = await OutboxMessage.get_or_none(id=message_id)
    if row is None:
        raise not_found()
    if row.status in ("sent", "sending"):
        raise _not_retried(row)
    changed = await OutboxMessage.filter(id=message_id, status__in=("queued", "failed")).update(
        status="queued", attempts=0, next_attempt_at=now.astimezone(UTC), locked_until=None, last_error=None
    )
    if not changed:  # a flusher claimed it meanwhile
        raise _not_retried(await OutboxMessage.get(id=message_id))
    return await OutboxMessage.get(id=message_id)


def _not_retried(row: OutboxMessage) -> Problem:
    if row.status == "sent":
        return conflict(
            "message-already-sent",
            f"Tin {row.id} đã được gửi; không gửi lại.",
            f"Message {row.id} was already sent; it is not sent again.",
        )
    return conflict(
        "message-being-sent",
        f"Tin {row.id} đang được gửi; hãy xem lại sau ít phút.",
        f"Message {row.id} is being sent right now; look again in a few minutes.",
    )
