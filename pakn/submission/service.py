"""Submitting a report: one transaction, idempotent, files stored or none."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from pakn.attachments.inspect import CleanFile
from pakn.attachments.storage import Storage, new_key
from pakn.core.problems import Problem, conflict, field_problem
from pakn.deadlines.service import intake_fields
from pakn.domain.channels import Channel
from pakn.domain.status import Status
from pakn.mail.notices import notify_received
from pakn.models import AdminUnit, Attachment, Feedback, FeedbackEvent, IdempotencyRecord, StaffUser, Supplement
from pakn.reference.cache import categories
from pakn.submission import secrets
from pakn.submission.schemas import FeedbackCreate, FeedbackCreated
from pakn.text.normalise import clean
from pakn.triage.intelligence.intake import assess_submission, search_fields

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

    @cached_property
    def request_hash(self) -> str:
        canonical = json.dumps(
            {"payload": self.data.model_dump(mode="json"), "files": list(self.upload_digests)},
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
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
    return Outcome(FeedbackCreated(**record.response, access_token=token), replayed=True)


async def submit(
    submission: Submission,
    *,
    storage: Storage,
    server_key: bytes,
    now: datetime,
    entered_by: StaffUser | None = None,
) -> Outcome:
    """Store a new report; `entered_by` is the staff member who typed in a
    report received off-line."""
    await _check_references(submission.data)
    for _ in range(TRACKING_CODE_ATTEMPTS):
        try:
            return await _create(submission, storage, server_key, now, entered_by)
        except IntegrityError:
            # Either a concurrent retry won the idempotency key (answer with its
            # result) or, very rarely, the random tracking code was taken (try again).
            replay = await find_replay(submission, server_key)
            if replay is not None:
                return replay
    raise Problem(503, "busy", "Hệ thống đang bận", "Service busy", "Vui lòng thử lại.", "Please retry.")


async def _check_references(data: FeedbackCreate) -> None:
    if data.category and not await categories.is_active(data.category):
        raise field_problem(
            "category", "unknown_category", "Lĩnh vực không tồn tại.", "Unknown category."
        )
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
        secrets.derived_access_token(server_key, key, submission.request_hash)
        if key
        else secrets.new_access_token()
    )
    stored_keys: list[str] = []
    # Suggestions, duplicates and urgency: read before the transaction, stored with the row.
    triage = await assess_submission(submission.data, now)
    try:
        async with in_transaction() as connection:
            tracking_code = secrets.new_tracking_code(now)
            feedback = await Feedback.create(
                **{**_feedback_fields(submission.data), **_door_fields(submission)},
                client_address=submission.client_address,
                tracking_code=tracking_code,
                **search_fields(tracking_code, submission.data.title, submission.data.content),
                access_token_hash=secrets.hash_token(token),
                # Urgency found at intake brings its own (shorter) deadline.
                **{**intake_fields(submission.data.category, now), **triage},
                created_at=now,
                updated_at=now,
            )
            created = _created_reply(feedback, now)
            if key:
                # The unique key is the guard: a concurrent retry waits here and fails.
                await IdempotencyRecord.create(
                    key=key,
                    request_hash=submission.request_hash,
                    feedback=feedback,
                    response=created.model_dump(mode="json", exclude={"access_token"}),
                    created_at=now,
                )
            await store_attachments(feedback, submission.files, storage, stored_keys, now)
            await FeedbackEvent.create(
                feedback=feedback,
                action="submit",
                to_status=Status.RECEIVED,
                is_public=True,
                actor_user=entered_by,
                actor=entered_by.username if entered_by else None,
                created_at=now,
            )
            await notify_received(feedback, now, connection)
    except BaseException:
        for stored in stored_keys:
            await storage.delete(stored)
        raise
    created.access_token = token
    return Outcome(created, replayed=False)


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


def _created_reply(feedback: Feedback, now: datetime) -> FeedbackCreated:
    return FeedbackCreated(
        id=feedback.id,
        tracking_code=feedback.tracking_code,
        access_token="",
        status=Status.RECEIVED.value,
        created_at=now,
        category=feedback.category_id,
    )


async def store_attachments(
    feedback: Feedback,
    files: tuple[CleanFile, ...],
    storage: Storage,
    stored_keys: list[str],
    now: datetime,
    supplement: Supplement | None = None,
) -> None:
    """Write each file, then its row; `stored_keys` lists what to delete if the
    transaction around this fails."""
    for clean in files:
        key = new_key(clean.extension, now)
        await storage.save(key, clean.content)
        stored_keys.append(key)
        await Attachment.create(
            feedback=feedback,
            supplement=supplement,
            storage_key=key,
            filename=clean.filename,
            content_type=clean.content_type,
            kind=clean.kind,
            size=len(clean.content),
            sha256=clean.sha256,
            width=clean.width,
            height=clean.height,
            created_at=now,
        )
