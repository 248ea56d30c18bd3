"""Submitting a report: one statement, idempotent, files stored or none."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from pakn.attachments import CleanFile, Storage, storing
from pakn.core import context
from pakn.core.problems import Problem, conflict, field_problem
from pakn.deadlines.service import intake_fields
from pakn.domain import tracking
from pakn.domain.channels import Channel
from pakn.domain.status import Status
from pakn.intelligence import owed_assessment
from pakn.mail import received_messages
from pakn.models import (
    AdminUnit,
    Attachment,
    DeferredTask,
    Device,
    Feedback,
    FeedbackEvent,
    IdempotencyRecord,
    OutboxMessage,
    StaffUser,
)
from pakn.reference import categories
from pakn.submission import secrets
from pakn.submission.channels import Reach, accepted_channels
from pakn.submission.schemas import FeedbackCreate, FeedbackCreated
from pakn.submission.write import Row, insert_report
from pakn.text.normalise import clean

TRACKING_CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class Submission:
    data: FeedbackCreate
    idempotency_key: str | None = None
    # SHA-256 of each uploaded file as received, for the request digest.
    upload_digests: tuple[str, ...] = ()
    files: tuple[CleanFile, ...] = field(default=())
    # Set by another door than the citizen API (Open311): its channel, the client
    # app, and what only that door carries; stored as given.
    channel: Channel | None = None
    api_client_id: int | None = None
    attributes: dict[str, Any] | None = None
    media_url: str | None = None
    # Where the request came from (staff-only, for rejecting spam by source).
    client_address: str | None = None
    # The registered device that sent it (Authorization: Device ...), verified.
    device: Device | None = None

    @cached_property
    def request_hash(self) -> str:
        # Fields new since records were first kept are left out when absent, so that a
        # retry across an upgrade still matches its record; the device is part of the
        # request, so another device (or none) reusing the key is a conflict.
        unset = {"notify"} if self.data.notify is None else set()
        signed: dict[str, Any] = {
            "payload": self.data.model_dump(mode="json", exclude=unset),
            "files": list(self.upload_digests),
        }
        if self.device is not None:
            signed["device"] = self.device.public_id
        canonical = json.dumps(signed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    created: FeedbackCreated
    replayed: bool


async def find_replay(submission: Submission, server_key: bytes) -> Outcome | None:
    """The original reply when this idempotency key was seen before."""
    if submission.idempotency_key is None:
        return None
    record = await IdempotencyRecord.get_or_none(key=submission.idempotency_key)
    if record is None:
        return None
    if record.request_hash != submission.request_hash:
        raise conflict(
            "idempotency-key-reused",
            "Khóa Idempotency-Key này đã được dùng cho một nội dung khác.",
            "This Idempotency-Key was already used with a different request body.",
        )
    token = secrets.derived_access_token(server_key, record.key, record.request_hash)
    reply = {**record.response, "id": record.feedback_id}  # records written before the id was left out have it too
    return Outcome(FeedbackCreated(**reply, access_token=token), replayed=True)


async def submit(
    submission: Submission,
    *,
    storage: Storage,
    server_key: bytes,
    now: datetime,
    entered_by: StaffUser | None = None,
) -> Outcome:
    """Store a new report; `entered_by` is the staff member who typed in a
    report received off-line. Triage (suggestions, urgency, duplicates, search
    copies) runs after commit: `pakn.intelligence.deferred`."""
    await _check_references(submission.data)
    for _ in range(TRACKING_CODE_ATTEMPTS):
        try:
            return await _create(submission, storage, server_key, now, entered_by)
        except IntegrityError as exc:
            if _violated(exc, IdempotencyRecord, "key"):
                # A concurrent retry won the idempotency key: answer with its result.
                replay = await find_replay(submission, server_key)
                if replay is not None:
                    return replay
            elif not _violated(exc, Feedback, "tracking_code"):
                raise
            # Very rarely the random tracking code was taken: draw another.
    raise Problem(503, "busy", "Hệ thống đang bận", "Service busy", "Vui lòng thử lại.", "Please retry.")


def _violated(exc: IntegrityError, model: type[Model], column: str) -> bool:
    """Whether the error is the unique key of `model.column` (PostgreSQL names
    it `<table>_<column>_key`, SQLite says `<table>.<column>`)."""
    table = model._meta.db_table
    text = str(exc)
    return f"{table}_{column}_key" in text or f"{table}.{column}" in text


async def _check_references(data: FeedbackCreate) -> None:
    if data.category is not None and not await categories.is_active(data.category):
        raise field_problem("category", "unknown_category", "Lĩnh vực không tồn tại.", "Unknown category.")
    unit = data.location.admin_unit_code if data.location else None
    if unit and not await AdminUnit.filter(code=unit).exists():
        raise field_problem(
            "location.admin_unit_code",
            "unknown_admin_unit",
            "Đơn vị hành chính không tồn tại.",
            "Unknown administrative unit.",
        )


async def _create(
    submission: Submission,
    storage: Storage,
    server_key: bytes,
    now: datetime,
    entered_by: StaffUser | None,
) -> Outcome:
    key = submission.idempotency_key
    token = (
        secrets.derived_access_token(server_key, key, submission.request_hash) if key else secrets.new_access_token()
    )
    tracking_code = tracking.new_tracking_code(now)
    values = {
        **_feedback_fields(submission.data),
        **_door_fields(submission),
        **_device_fields(submission, now),
        "client_address": submission.client_address,
        "tracking_code": tracking_code,
        "access_token_hash": secrets.hash_token(token),
        **intake_fields(submission.data.category, now),
        "created_at": now,
        "updated_at": now,
    }
    created = FeedbackCreated(
        id=0,
        tracking_code=tracking_code,
        access_token=token,
        status=Status.RECEIVED.value,
        created_at=now,
        category=submission.data.category,
    )
    # Triage is owed: the assessment worker claims the report from this instant.
    rows = [_submit_event(entered_by, now), Row(DeferredTask, owed_assessment(now), from_report={"subject_id": "f.id"})]
    if key:
        # The unique key is the guard: a concurrent retry waits on it and fails.
        # The reply is kept without the id (read back from the record's report)
        # and without the token (derived again on replay, never stored).
        response = created.model_dump(mode="json", exclude={"id", "access_token"})
        rows.append(
            Row(
                IdempotencyRecord,
                {"key": key, "request_hash": submission.request_hash, "response": response, "created_at": now},
            )
        )
    # The "received" notice, one row per channel the citizen accepted.
    # The device is at hand: the notice does not read it again.
    notices = await received_messages(Feedback(**values), now, submission.device)
    rows.extend(Row(OutboxMessage, message, from_report={}) for message in notices)
    async with storing(storage) as stored:
        rows.extend(Row(Attachment, fields) for fields in await stored.save_all(submission.files, now))
        created.id = await insert_report(Feedback, values, rows)
    return Outcome(created, replayed=False)


def _submit_event(entered_by: StaffUser | None, now: datetime) -> Row:
    return Row(
        FeedbackEvent,
        {
            "action": "submit",
            "to_status": Status.RECEIVED,
            "is_public": True,
            "actor_user_id": entered_by.id if entered_by else None,
            "actor": entered_by.username if entered_by else None,
            "created_at": now,
        },
    )


def _device_fields(submission: Submission, now: datetime) -> dict[str, Any]:
    """The device that submits, the channels accepted, and the read marker: the
    report is "changed" by its receipt and already read by the device that sent it."""
    device = submission.device
    reach = Reach(
        offered=context.settings().notify.channels,
        contact=submission.data.contact,
        platform=device.platform if device else None,
        has_push_token=bool(device and device.push_token),
    )
    fields: dict[str, Any] = {
        "notify": accepted_channels(submission.data.notify, reach),
        "public_changed_at": now,
        "citizen_read_at": now if device else None,
    }
    if device is not None:
        # The verified id is the source staff reject spam by, as the limiter counted it.
        fields |= {"app_device_id": device.id, "device_id": device.public_id}
    return fields


def _door_fields(submission: Submission) -> dict[str, Any]:
    if submission.channel is None:
        return {}
    return {
        "channel": submission.channel,
        "api_client_id": submission.api_client_id,
        "attributes": submission.attributes,
        "media_url": submission.media_url,
    }


def _feedback_fields(data: FeedbackCreate) -> dict[str, Any]:
    location = data.location
    contact = data.contact if data.contact and not data.contact.is_empty else None
    return {
        # As typed, for display; only Unicode forms and Đ look-alikes repaired.
        "title": clean(data.title),
        "content": clean(data.content),
        "category_id": data.category,
        "channel": data.channel,
        "lat": location.lat if location else None,
        "lon": location.lon if location else None,
        "address": clean(location.address) if location else "",
        "admin_unit_id": location.admin_unit_code if location else None,
        "contact_name": contact.name if contact else None,
        "contact_phone": contact.phone if contact else None,
        "contact_email": contact.email if contact else None,
        "is_anonymous": contact is None,
        "device_id": data.device_id,
        "is_public": data.is_public,
    }
