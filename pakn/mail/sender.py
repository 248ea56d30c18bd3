"""Delivering the outbox after commit, on every channel.

Scheduler contract: the `outbox-flush` job calls `await flush_outbox(now)`.
Settings are explicit where the caller has them (`flush_outbox(now, settings)`);
without them the sender uses those registered by `create_app` through
the settings installed in `pakn.core.context`, else `Settings()`.
`providers` maps a channel ("push", "webpush", "sms", "zns") to its
`pakn.notify.Provider`; the caller makes them and closes them (`aclose`).
E-mail goes through SMTP or .eml files (pakn.mail.transport), the other
channels through their provider (pakn.mail.dispatch). A row of a channel
without a provider is not claimed: it waits, queued, its last error saying
so, and goes once the provider is there. Returns a `FlushResult` for logs.

Exactly once, as far as SMTP allows:
- Messages are claimed in batches through `pakn.core.leases` (queued and due,
  or `sending` with an expired lease): one statement sets `sending` and a lease,
  and the database lets one flusher win each row, so two flushers never send
  the same message.
- A claim counts as an attempt, so a message that crashes the sender every time
  still ends `failed` instead of looping.
- After a crash mid-send the lease expires and the message is claimed again.
- Residual at-least-once window: if the process dies after the SMTP server
  (or a provider) accepted a message but before `sent` is committed, it is sent
  again after the lease. The resend carries the same Message-ID (derived from
  the dedupe key), so it is recognisable as the same message; in file mode it
  overwrites the same .eml file; providers get the dedupe key as `Notice.key`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from pakn.core import context, leases
from pakn.mail import dispatch, outcomes
from pakn.mail import message as messages
from pakn.mail.outbox import EMAIL
from pakn.mail.outcomes import FlushResult, backoff
from pakn.mail.transport import Transport, transport_for
from pakn.models import OutboxMessage
from pakn.notify import Provider, providers_for
from pakn.settings import MailConfig, Settings

log = logging.getLogger("pakn.mail")

__all__ = ["FlushResult", "backoff", "flush_outbox"]


async def flush_outbox(
    now: datetime, settings: Settings | None = None, providers: Mapping[str, Provider] | None = None
) -> FlushResult:
    """Send what is due as of `now`; each message on its own, so one failure
    does not hold up the rest."""
    settings = settings or context.settings()
    providers = providers or {}
    now = now.astimezone(UTC)  # SQLite compares datetimes as text: always UTC
    result = FlushResult()
    await _give_up_abandoned(now, settings.mail)
    ready = (EMAIL, *sorted(providers))
    result.waiting = await _mark_waiting(ready)
    claimed = await _claim(now, settings.mail, ready)
    await _send_emails([row for row in claimed if row.channel == EMAIL], now, settings, result)
    for row in claimed:
        if row.channel != EMAIL:
            await dispatch.deliver(row, providers[row.channel], now, settings.mail, result)
    return result


async def flush_every_channel(now: datetime, settings: Settings | None = None) -> FlushResult:
    """The scheduler's flush: the providers of the offered channels made for
    this flush and closed after it (e-mail always goes)."""
    settings = settings or context.settings()
    providers = providers_for(settings)
    try:
        return await flush_outbox(now, settings, providers)
    finally:
        for provider in providers.values():
            await provider.aclose()


def _outbox(channels: int) -> leases.Queue:
    """Queued and due, or claimed by a sender whose lease ran out (it crashed
    mid-send), of the channels that can be sent now."""
    return leases.Queue(
        table="outbox_message",
        due="((status = 'queued' AND next_attempt_at <= ?) OR (status = 'sending' AND locked_until <= ?)) "
        f"AND attempts < ? AND channel IN ({', '.join('?' * channels)})",
        order_by="next_attempt_at, id",
        claim="status = 'sending', locked_until = ?, attempts = attempts + 1",
    )


async def _claim(now: datetime, config: MailConfig, channels: tuple[str, ...]) -> list[OutboxMessage]:
    lease = now + timedelta(seconds=config.lease_seconds)
    due = [now, now, config.max_attempts, *channels]
    claimed_ids = await leases.claim(_outbox(len(channels)), due, [lease], config.batch_size)
    return list(await OutboxMessage.filter(id__in=claimed_ids).order_by("id"))


async def _mark_waiting(ready: tuple[str, ...]) -> int:
    """Says on each queued row of a channel without a provider why it waits;
    how many rows were newly marked."""
    marked = 0
    waiting = (
        await OutboxMessage.filter(status="queued")
        .exclude(channel__in=ready)
        .distinct()
        .values_list("channel", flat=True)
    )
    for channel in waiting:
        note = dispatch.not_configured(str(channel))
        unmarked = Q(last_error__isnull=True) | ~Q(last_error=note)
        marked += await OutboxMessage.filter(unmarked, status="queued", channel=channel).update(last_error=note)
    return marked


async def _give_up_abandoned(now: datetime, config: MailConfig) -> None:
    """A message whose last allowed try never finished (the sender died each time)."""
    await OutboxMessage.filter(status="sending", locked_until__lte=now, attempts__gte=config.max_attempts).update(
        status="failed", locked_until=None, last_error="abandoned: the sender stopped while sending"
    )


async def _send_emails(rows: list[OutboxMessage], now: datetime, settings: Settings, result: FlushResult) -> None:
    if not rows:
        return
    transport = transport_for(settings)
    try:
        for row in rows:
            await _deliver(row, transport, now, settings, result)
    finally:
        await transport.close()


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
        await outcomes.retry_later(row, f"{type(exc).__name__}: {exc}", now, settings.mail, result)
        return
    await outcomes.sent(row, now, result, note=note, message_id=str(email["Message-ID"]))
