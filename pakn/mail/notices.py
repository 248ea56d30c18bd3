"""E-mail to the citizen, queued in the same transaction as the change: when a
report is received (with its tracking code), when more information is asked
for (with the question) and when its answer is published (with the answer).

Only for reports with a contact e-mail. Each notice's dedupe key names the
report, the event and the report's version after the change, so a retried
request or a replayed job queues it once, and a second request for
information (a later version) is a new notice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from pakn.core import context
from pakn.domain.status import Status
from pakn.mail.outbox import enqueue, message_row
from pakn.mail.rendering import render
from pakn.models import Feedback

RECEIVED = "received"
INFO_REQUESTED = "info_requested"
ANSWERED = "answered"

SUBJECTS = {
    RECEIVED: "[PAKN] Đã tiếp nhận phản ánh {code}",
    INFO_REQUESTED: "[PAKN] Đề nghị bổ sung thông tin cho phản ánh {code}",
    ANSWERED: "[PAKN] Phản ánh {code} đã có kết quả xử lý",
}


def notice_for(action: str, target: Status) -> str | None:
    """Which notice a workflow move sends, if any: the answer is published when
    the report becomes resolved (approved, or answered without review)."""
    if action == "request_info":
        return INFO_REQUESTED
    if target is Status.RESOLVED:
        return ANSWERED
    return None


def received_message(feedback: Feedback, now: datetime) -> dict[str, Any] | None:
    """The "received" notice of a report being stored, as an outbox row that the
    submission writes in its own statement (the report has no id yet: the
    tracking code, unique too, names the message)."""
    if not feedback.contact_email:
        return None
    text, html = render("notice_received", feedback=feedback, name=_name(feedback), tz=context.settings().tz)
    return message_row(
        f"citizen:{feedback.tracking_code}:{RECEIVED}",
        f"citizen_{RECEIVED}",
        [feedback.contact_email],
        SUBJECTS[RECEIVED].format(code=feedback.tracking_code),
        text,
        html,
        now,
    )


def _name(feedback: Feedback) -> str:
    return feedback.contact_name or "ông/bà"


async def notify_citizen(
    feedback: Feedback,
    action: str,
    target: Status,
    details: dict[str, Any],
    now: datetime,
    connection: BaseDBAsyncClient,
) -> bool:
    """Hook for the workflow: call after the event is written, inside its
    transaction; `details` are the action's (the request's `message`)."""
    notice = notice_for(str(action), Status(target))
    if notice is None:
        return False
    extra = {"message": details.get("message") or ""} if notice == INFO_REQUESTED else {}
    if notice == ANSWERED:
        extra = {"answer": feedback.answer or ""}
    return await _queue(feedback, notice, extra, now, connection)


async def _queue(
    feedback: Feedback, notice: str, extra: dict[str, Any], now: datetime, connection: BaseDBAsyncClient
) -> bool:
    if not feedback.contact_email:
        return False
    text, html = render(f"notice_{notice}", feedback=feedback, name=_name(feedback), tz=context.settings().tz, **extra)
    return await enqueue(
        dedupe_key=f"citizen:{feedback.id}:{notice}:v{feedback.version}",
        kind=f"citizen_{notice}",
        recipients=[feedback.contact_email],
        subject=SUBJECTS[notice].format(code=feedback.tracking_code),
        text=text,
        html=html,
        now=now,
        connection=connection,
    )
