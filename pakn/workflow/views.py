"""How a report reads to staff: everything, with what the reader may do next."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pakn.deadlines.service import state_of
from pakn.domain.roles import Role
from pakn.domain.status import Status
from pakn.domain.workflow import allowed_actions
from pakn.intelligence import assessment_state, suggestions_view
from pakn.models import Attachment, Feedback, FeedbackEvent, StaffUser, Supplement
from pakn.submission import ContactIn, attachment_view, location_view
from pakn.workflow.schemas import EventOut, FeedbackStaff, SupplementOut

AttachmentUrl = Callable[[Feedback, Attachment], str]
MILESTONES = (
    "deadline",
    "created_at",
    "updated_at",
    "assigned_at",
    "started_at",
    "info_requested_at",
    "answered_at",
    "resolved_at",
    "closed_at",
    "rejected_at",
)


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return value.astimezone(tz) if value else None


def _milestones(feedback: Feedback, tz: ZoneInfo) -> dict[str, Any]:
    return {name: _local(getattr(feedback, name), tz) for name in MILESTONES}


def staff_view(
    feedback: Feedback,
    reader: StaffUser,
    attachments: list[Attachment],
    supplements: list[Supplement],
    *,
    tz: ZoneInfo,
    review_required: bool,
    attachment_url: AttachmentUrl,
    now: datetime,
    assessment_pending: bool = False,
) -> FeedbackStaff:
    status = Status(feedback.status)
    return FeedbackStaff(
        id=feedback.id,
        tracking_code=feedback.tracking_code,
        version=feedback.version,
        status=status.value,
        allowed_actions=[a.value for a in allowed_actions(status, Role(reader.role), review_required)],
        title=feedback.title,
        content=feedback.content,
        category=feedback.category_id,
        priority=str(feedback.priority.value),
        urgent=feedback.urgent,
        channel=str(feedback.channel.value),
        agency=feedback.agency_id,
        duplicate_of=feedback.duplicate_of_id,
        reject_reason=feedback.reject_reason,
        answer=feedback.answer,
        location=location_view(feedback),
        contact=None
        if feedback.is_anonymous
        else ContactIn.model_construct(
            name=feedback.contact_name, phone=feedback.contact_phone, email=feedback.contact_email
        ),
        is_anonymous=feedback.is_anonymous,
        is_public=feedback.is_public,
        device_id=feedback.device_id,
        client_address=feedback.client_address,
        **_milestones(feedback, tz),
        deadline_state=state_of(feedback, now),
        attachments=[attachment_view(feedback, item, attachment_url) for item in attachments],
        supplements=[
            SupplementOut(id=item.id, content=item.content, created_at=item.created_at.astimezone(tz))
            for item in supplements
        ],
        suggested_category=feedback.suggested_category_id,
        assessment=assessment_state(assessment_pending, feedback.suggestions),
        suggestions=suggestions_view(feedback.suggestions),
    )


def event_view(event: FeedbackEvent, tz: ZoneInfo) -> EventOut:
    return EventOut(
        id=event.id,
        action=event.action,
        from_status=event.from_status.value if event.from_status else None,
        to_status=event.to_status.value if event.to_status else None,
        note=event.note,
        details=event.details,
        is_public=event.is_public,
        actor=event.actor,
        created_at=event.created_at.astimezone(tz),
    )
