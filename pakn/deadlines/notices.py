"""The e-mails of the deadline sweep: a warning to whoever must act (the agency,
or the coordinators while nobody is assigned) and, once overdue, an escalation
to the coordinators. Queued through the outbox inside the sweep's transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from pakn.domain.roles import Role
from pakn.domain.status import Status, public_label
from pakn.mail.outbox import enqueue
from pakn.mail.render import moment
from pakn.models import Agency, Feedback, StaffUser

SIGNATURE = "Thư này do hệ thống PAKN gửi tự động, xin không trả lời thư này."


class Threshold(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


async def coordinator_emails() -> list[str]:
    """Addresses of the active coordinators, read once per sweep."""
    rows = await StaffUser.filter(role=Role.COORDINATOR, is_active=True, email__isnull=False).values_list(
        "email", flat=True
    )
    return sorted({str(email) for email in rows if email})


async def queue_deadline_mail(
    feedback: Feedback,
    threshold: Threshold,
    coordinators: list[str],
    tz: ZoneInfo,
    now: datetime,
    connection: BaseDBAsyncClient,
) -> int:
    """Queue this report's e-mails for this threshold; how many were new."""
    agency = await Agency.filter(code=feedback.agency_id).using_db(connection).first() if feedback.agency_id else None
    queued = 0
    if agency is None:
        # Not assigned yet: assigning it is the coordinators' own task.
        queued += await _queue(feedback, threshold, "coordinators", coordinators, None, tz, now, connection)
        return queued
    queued += await _queue(feedback, threshold, "agency", list(agency.emails or []), agency, tz, now, connection)
    if threshold is Threshold.OVERDUE:
        queued += await _queue(feedback, threshold, "escalation", coordinators, agency, tz, now, connection)
    return queued


async def _queue(
    feedback: Feedback,
    threshold: Threshold,
    audience: str,
    recipients: list[str],
    agency: Agency | None,
    tz: ZoneInfo,
    now: datetime,
    connection: BaseDBAsyncClient,
) -> int:
    assert feedback.deadline is not None
    stamp = feedback.deadline.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    subject, text = compose(feedback, threshold, audience, agency, tz)
    inserted = await enqueue(
        dedupe_key=f"deadline:{feedback.id}:{threshold.value}:{stamp}:{audience}",
        kind=f"deadline_{threshold.value}" if audience != "escalation" else "deadline_escalation",
        recipients=recipients,
        subject=subject,
        text=text,
        html=None,
        now=now,
        connection=connection,
    )
    return int(inserted)


def compose(
    feedback: Feedback, threshold: Threshold, audience: str, agency: Agency | None, tz: ZoneInfo
) -> tuple[str, str]:
    """Subject and plain text, in Vietnamese."""
    assert feedback.deadline is not None
    step = "giao xử lý" if feedback.deadline_kind == "assign" else "xử lý"
    when = moment(feedback.deadline, tz)
    title = feedback.title or feedback.content[:80]
    if threshold is Threshold.DUE_SOON:
        subject = f"[PAKN] Sắp đến hạn {step}: {feedback.tracking_code}"
        line = f"sắp đến hạn {step}: {when}."
    elif audience == "escalation":
        subject = f"[PAKN] Phản ánh quá hạn cần đôn đốc: {feedback.tracking_code}"
        line = f"đã quá hạn {step} ({when}) mà chưa có kết quả."
    else:
        subject = f"[PAKN] Quá hạn {step}: {feedback.tracking_code}"
        line = f"đã quá hạn {step} từ {when}."
    greeting = agency.name if agency is not None and audience == "agency" else "Bộ phận điều phối PAKN"
    text = "\n".join(
        [
            f"Kính gửi {greeting},",
            "",
            f"Phản ánh {feedback.tracking_code} «{title}» {line}",
            f"Trạng thái: {public_label(Status(feedback.status), 'vi')}.",
            f"Đơn vị xử lý: {agency.name if agency else 'chưa giao'}.",
            "",
            SIGNATURE,
            "",
        ]
    )
    return subject, text
