"""Notices to the citizen, queued in the same transaction as the change: one
outbox row per change (pakn.mail.events) and channel the citizen accepted.

Channels are those in the report's `notify` that the province offers
(`[notify] channels`; e-mail always) and that have somewhere to go: the contact
e-mail, the contact phone (sms, zns), the report's registered device (push for
android and ios, webpush for web browsers; not once unregistered). Push rows
name the device's public id, not its token: the sender reads the token at send
time, so a token the app updated meanwhile is the one used.

Each row's dedupe key names the report, the event, the report's version after
the change and the channel — `citizen:<id>:<event>:v<version>:<channel>` — so a
retried request or a replayed job queues it once, and a second request for
information (a later version) is a new notice. The "received" notice is written
before the report has an id: its key names the tracking code, unique too. The
original's answer told to a duplicate's citizen carries the original's version.

Push, SMS and ZNS texts are Vietnamese, or English for a device whose locale is
en; e-mail is Vietnamese (an address says nothing of its reader's language).
Rejections as spam are told to nobody, as the bulk spam rejection tells nobody.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from pakn.core import context
from pakn.domain.status import ANSWER_VISIBLE, Status, public_status
from pakn.mail import citizen_texts as texts
from pakn.mail import events as ev
from pakn.mail.outbox import CHANNELS, EMAIL, insert_message, message_row
from pakn.mail.rendering import render
from pakn.models import Device, Feedback
from pakn.models.spam import SPAM

# Which registered devices each push channel reaches.
PLATFORMS = {"push": ("android", "ios"), "webpush": ("web",)}
# E-mails with a layout of their own; the other events use `notice_update`.
TEMPLATES = {ev.RECEIVED: "notice_received", ev.INFO_REQUESTED: "notice_info_requested", ev.ANSWERED: "notice_answered"}


def destinations(feedback: Feedback, device: Device | None, offered: list[str]) -> list[tuple[str, str]]:
    """(channel, recipient) for each channel the citizen accepted, the province
    offers and the report can reach, in a fixed order."""
    accepted = set(feedback.notify or []) & {EMAIL, *offered}
    found = [(channel, _recipient(channel, feedback, device)) for channel in CHANNELS if channel in accepted]
    return [(channel, recipient) for channel, recipient in found if recipient]


def _recipient(channel: str, feedback: Feedback, device: Device | None) -> str | None:
    if channel == EMAIL:
        return feedback.contact_email
    if channel in ("sms", "zns"):
        return feedback.contact_phone
    if device is None or device.revoked_at is not None or device.platform not in PLATFORMS[channel]:
        return None
    return device.public_id


async def received_messages(feedback: Feedback, now: datetime, device: Device | None = None) -> list[dict[str, Any]]:
    """The "received" notice of a report being stored, one outbox row per
    channel, that the submission writes in its own statement. `device`: the
    report's registered device when the caller has it (else it is read)."""
    if device is None or device.id != feedback.app_device_id:
        device = await _device(feedback, None)
    key = f"citizen:{feedback.tracking_code}:{ev.RECEIVED}:v{feedback.version}"
    return _rows(feedback, device, ev.RECEIVED, _facts(feedback), key, now)


async def notify_citizen(
    feedback: Feedback, event: str | None, details: dict[str, Any], now: datetime, connection: BaseDBAsyncClient
) -> bool:
    """Hook for the workflow: call after the event is written, inside its
    transaction, with `events.citizen_event` of the move and its details. True
    if any row was queued. A published answer is also told to the citizen of
    each report merged into this one."""
    if event is None:
        return False
    queued = await _notify(feedback, event, details, now, connection)
    if event == ev.ANSWERED:
        queued = await _notify_duplicates(feedback, now, connection) or queued
    return queued


async def _notify(
    feedback: Feedback, event: str, details: dict[str, Any], now: datetime, connection: BaseDBAsyncClient
) -> bool:
    if event == ev.REJECTED and feedback.reject_reason == SPAM:
        return False
    facts = _facts(
        feedback,
        message=str(details.get("message") or "") if event == ev.INFO_REQUESTED else "",
        answer=await _answer(feedback, event, connection),
        original=str(details.get("original_tracking_code") or ""),
    )
    key = f"citizen:{feedback.id}:{event}:v{feedback.version}"
    rows = _rows(feedback, await _device(feedback, connection), event, facts, key, now)
    return await _insert_all(rows, connection)


async def _notify_duplicates(original: Feedback, now: datetime, connection: BaseDBAsyncClient) -> bool:
    queued = False
    for duplicate in await Feedback.filter(duplicate_of_id=original.id).using_db(connection).order_by("id"):
        facts = _facts(duplicate, answer=original.answer or "", original=original.tracking_code)
        key = f"citizen:{duplicate.id}:{ev.ORIGINAL_ANSWERED}:v{original.version}"
        rows = _rows(duplicate, await _device(duplicate, connection), ev.ORIGINAL_ANSWERED, facts, key, now)
        queued = await _insert_all(rows, connection) or queued
    return queued


async def _insert_all(rows: list[dict[str, Any]], connection: BaseDBAsyncClient) -> bool:
    inserted = [await insert_message(row, connection) for row in rows]
    return any(inserted)


async def _answer(feedback: Feedback, event: str, connection: BaseDBAsyncClient) -> str:
    """The published answer the notice quotes: the report's own once resolved;
    for a merge, the original's if it has one (a duplicate may hold a draft)."""
    if event == ev.ANSWERED:
        return feedback.answer or ""
    if event != ev.MERGED or feedback.duplicate_of_id is None:
        return ""
    original = await Feedback.filter(id=feedback.duplicate_of_id).using_db(connection).first()
    if original is None or Status(original.status) not in ANSWER_VISIBLE:
        return ""
    return original.answer or ""


async def _device(feedback: Feedback, connection: BaseDBAsyncClient | None) -> Device | None:
    if feedback.app_device_id is None:
        return None
    return await Device.filter(id=feedback.app_device_id).using_db(connection).first()


def _facts(feedback: Feedback, **extra: str) -> texts.Facts:
    return texts.Facts(
        code=feedback.tracking_code,
        title=feedback.title or feedback.content[:80],
        status=public_status(Status(feedback.status)).value,
        reason=feedback.reject_reason or "",
        deadline=feedback.deadline,
        **extra,
    )


def _rows(
    feedback: Feedback, device: Device | None, event: str, facts: texts.Facts, key: str, now: datetime
) -> list[dict[str, Any]]:
    settings = context.settings()
    rows = []
    for channel, recipient in destinations(feedback, device, list(settings.notify.channels)):
        if not ev.carries(channel, event):
            continue
        if channel == EMAIL:
            rows.append(_email_row(feedback, event, facts, recipient, f"{key}:{channel}", now))
        else:
            locale = texts.locale_of(device.locale if device else None)
            rows.append(_notice_row(channel, event, facts, locale, recipient, f"{key}:{channel}", now))
    return rows


def _email_row(
    feedback: Feedback, event: str, facts: texts.Facts, recipient: str, key: str, now: datetime
) -> dict[str, Any]:
    tz = context.settings().tz
    wording = texts.wording(event, facts, "vi", tz)
    values = {"feedback": feedback, "name": feedback.contact_name or "ông/bà", "tz": tz, "code": facts.code}
    template = TEMPLATES.get(event, "notice_update")
    text, html = render(template, wording=wording, message=facts.message, answer=facts.answer, **values)
    return message_row(key, f"citizen_{event}", [recipient], f"[PAKN] {wording.title}", text, html, now)


def _notice_row(
    channel: str, event: str, facts: texts.Facts, locale: str, recipient: str, key: str, now: datetime
) -> dict[str, Any]:
    tz = context.settings().tz
    wording = texts.wording(event, facts, locale, tz)
    body = wording.short_body()
    payload = {
        "locale": locale,
        "event": event,
        "title": wording.title,
        "body": body,
        "data": texts.data(event, facts, tz),
    }
    kind = f"citizen_{event}"
    return message_row(key, kind, [recipient], wording.title, body, None, now, channel=channel, payload=payload)
