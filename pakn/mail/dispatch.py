"""Sending a claimed row of a channel beside e-mail through its provider
(pakn.notify): the recipient resolved now, the `Notice` built from the row's
payload, and the provider's answer recorded.

- Push and Web Push rows name a device: its current token is used, so a token
  the app updated after the row was queued is the one that receives it. A
  device gone, unregistered or without a token fails the row at once: no
  retry would find a token that is not there.
- RetryLater: queued again after the backoff, or the provider's Retry-After
  when longer; Rejected: failed at once; RecipientGone: failed, and the
  device's token forgotten (only if it is still the one used: the app may have
  sent a new one meanwhile).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pakn.mail import outcomes
from pakn.mail.outcomes import FlushResult
from pakn.models import Device, OutboxMessage
from pakn.notify import Notice, Provider, RecipientGone, Rejected, RetryLater
from pakn.settings import MailConfig

log = logging.getLogger("pakn.mail")
DEVICE_CHANNELS = ("push", "webpush")


class Unreachable(Exception):
    """The row has no one to go to (a device gone, a payload missing): one line."""


def not_configured(channel: str) -> str:
    """The last error of a row waiting for its channel's provider."""
    return f"kênh {channel} chưa được cấu hình, tin đang chờ / channel {channel} is not configured: waiting"


async def deliver(
    row: OutboxMessage, provider: Provider, now: datetime, config: MailConfig, result: FlushResult
) -> None:
    try:
        recipient = await _recipient(row)
        notice = _notice(row, recipient)
    except Unreachable as exc:
        await outcomes.failed(row, str(exc), result)
        return
    try:
        provider_id = await provider.send(notice)
    except RecipientGone as exc:
        await outcomes.failed(row, f"{exc} {await _forget(row, recipient)}".strip(), result)
    except Rejected as exc:
        await outcomes.failed(row, str(exc) or type(exc).__name__, result)
    except RetryLater as exc:
        await outcomes.retry_later(row, str(exc) or type(exc).__name__, now, config, result, exc.retry_after)
    except Exception as exc:  # a provider must raise DeliveryError only; its text might hold a secret
        log.warning(
            "provider broke its contract", extra={"fields": {"channel": row.channel, "error": type(exc).__name__}}
        )
        error = f"{type(exc).__name__} từ nhà cung cấp {row.channel} / from the {row.channel} provider"
        await outcomes.retry_later(row, error, now, config, result)
    else:
        await outcomes.sent(row, now, result, note=None, message_id=provider_id)


async def _recipient(row: OutboxMessage) -> str:
    if not row.recipients:
        raise Unreachable("tin không có người nhận / the message has no recipient")
    address = str(row.recipients[0])
    if row.channel not in DEVICE_CHANNELS:
        return address
    device = await Device.get_or_none(public_id=address)
    if device is None:
        raise Unreachable(f"thiết bị {address} không còn / device {address} no longer exists")
    if device.revoked_at is not None:
        raise Unreachable(f"thiết bị {address} đã hủy đăng ký / device {address} was unregistered")
    if not device.push_token:
        raise Unreachable(f"thiết bị {address} không có mã nhận thông báo / device {address} has no push token")
    return device.push_token


def _notice(row: OutboxMessage, recipient: str) -> Notice:
    payload: dict[str, Any] = row.payload or {}
    if not payload.get("title") or not payload.get("event"):
        raise Unreachable("tin thiếu nội dung (payload) / the message has no payload")
    data = payload.get("data") or {}
    return Notice(
        key=row.dedupe_key,
        recipient=recipient,
        event=str(payload["event"]),
        title=str(payload["title"]),
        body=str(payload.get("body") or row.body_text),
        locale=str(payload.get("locale") or "vi"),
        data={str(key): str(value) for key, value in data.items()},
    )


async def _forget(row: OutboxMessage, token: str) -> str:
    """Clears the device's token if it is still `token`; what was done, for the error."""
    if row.channel not in DEVICE_CHANNELS:
        return ""
    device = str(row.recipients[0])
    cleared = await Device.filter(public_id=device, push_token=token).update(push_token=None)
    if not cleared:
        return f"(thiết bị {device} đã có mã mới / device {device} has a new token since)"
    return f"(đã xóa mã nhận thông báo của thiết bị {device} / push token removed from device {device})"
