"""Delivering the outbox after commit.

Scheduler contract: the `outbox-flush` job calls `await flush_outbox(now)`.
Settings are explicit where the caller has them (`flush_outbox(now, settings)`);
without them the sender uses those registered by `create_app` through
the settings installed in `pakn.core.context`, else `Settings()`.
Returns a `FlushResult` (sent, retried, failed counts) for logs.

Exactly once, as far as SMTP allows:
- Messages are claimed in batches through `pakn.core.leases` (queued and due,
  or `sending` with an expired lease): one statement sets `sending` and a lease,
  and the database lets one flusher win each row, so two flushers never send
  the same message.
- A claim counts as an attempt, so a message that crashes the sender every time
  still ends `failed` instead of looping.
- After a crash mid-send the lease expires and the message is claimed again.
- Residual at-least-once window: if the process dies after the SMTP server
  accepted a message but before `sent` is committed, it is sent again after the
  lease. The resend carries the same Message-ID (derived from the dedupe key),
  so it is recognisable as the same message; in file mode it overwrites the
  same .eml file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pakn.core import context, leases
from pakn.mail import message as messages
from pakn.mail.transport import Transport, transport_for
from pakn.models import OutboxMessage
from pakn.settings import MailConfig, Settings

log = logging.getLogger("pakn.mail")
MAX_ERROR = 2000


@dataclass
class FlushResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sent={self.sent} retried={self.retried} failed={self.failed}"


def backoff(attempts: int, config: MailConfig) -> timedelta:
    """Wait before the next try after `attempts` tries: base × 2^(attempts−1), capped."""
    seconds = config.backoff_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config.backoff_max_seconds))


async def flush_outbox(now: datetime, settings: Settings | None = None) -> FlushResult:
    """Send what is due as of `now`; each message on its own, so one failure
    does not hold up the rest."""
    settings = settings or context.settings()
    now = now.astimezone(UTC)  # SQLite compares datetimes as text: always UTC
    result = FlushResult()
    await _give_up_abandoned(now, settings.mail)
    claimed = await _claim(now, settings.mail)
    if not claimed:
        return result
    transport = transport_for(settings)
    try:
        for row in claimed:
            await _deliver(row, transport, now, settings, result)
    finally:
        await transport.close()
    return result


# Queued and due, or claimed by a sender whose lease ran out (it crashed mid-send).
OUTBOX = leases.Queue(
    table="outbox_message",
    due="((status = 'queued' AND next_attempt_at <= ?) OR (status = 'sending' AND locked_until <= ?)) AND attempts < ?",
    order_by="next_attempt_at, id",
    claim="status = 'sending', locked_until = ?, attempts = attempts + 1",
)


async def _claim(now: datetime, config: MailConfig) -> list[OutboxMessage]:
    lease = now + timedelta(seconds=config.lease_seconds)
    claimed_ids = await leases.claim(OUTBOX, [now, now, config.max_attempts], [lease], config.batch_size)
    return list(await OutboxMessage.filter(id__in=claimed_ids).order_by("id"))


async def _give_up_abandoned(now: datetime, config: MailConfig) -> None:
    """A message whose last allowed try never finished (the sender died each time)."""
    await OutboxMessage.filter(status="sending", locked_until__lte=now, attempts__gte=config.max_attempts).update(
        status="failed", locked_until=None, last_error="abandoned: the sender stopped while sending"
    )


async def _deliver(
    row: OutboxMessage, transport: Transport, now: datetime, settings: Settings, result: FlushResult
) -> None:
    mail_from = settings.mail_from
    # 8bit keeps .eml files readable; over SMTP the library picks a 7-bit-safe encoding.
    cte = None if settings.smtp_host else "8bit"
    email = messages.build(row, mail_from, now.astimezone(settings.tz), cte=cte)
    name = f"{row.id:08d}-{row.kind}"
    try:
        note = await transport.send(email, messages.envelope_sender(mail_from), list(row.recipients), name)
    except Exception as exc:  # any failure: the message waits for its next try
        await _failed(row, exc, now, settings.mail, result)
        return
    await (
        OutboxMessage.filter(id=row.id)
        .exclude(status="sent")
        .update(status="sent", sent_at=now, locked_until=None, last_error=note, message_id=email["Message-ID"])
    )
    result.sent += 1
    log.info("mail sent", extra={"fields": {"outbox_id": row.id, "kind": row.kind}})


async def _failed(row: OutboxMessage, exc: Exception, now: datetime, config: MailConfig, result: FlushResult) -> None:
    error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
    final = row.attempts >= config.max_attempts
    changes = (
        {"status": "failed"} if final else {"status": "queued", "next_attempt_at": now + backoff(row.attempts, config)}
    )
    # Only while still ours: after a lease expiry another flusher may own the row.
    await OutboxMessage.filter(id=row.id, status="sending").update(locked_until=None, last_error=error, **changes)
    if final:
        result.failed += 1
    else:
        result.retried += 1
    log.warning(
        "mail failed", extra={"fields": {"outbox_id": row.id, "attempts": row.attempts, "final": final, "error": error}}
    )
