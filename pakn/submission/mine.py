"""A registered device's own reports ("my reports", issue 14), so that the app
keeps no tracking codes or tokens of its own: newest first, each with where it
stands and whether it changed since the device last read it."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.expressions import Q

from pakn.core.pagination import ID, Cursor
from pakn.deadlines.service import state_of
from pakn.domain.status import Status, public_label, public_status
from pakn.models import Feedback
from pakn.submission.schemas import MyReport, MyReportPage
from pakn.submission.views import ViewContext

MINE_CURSOR = Cursor(ID)  # the last report shown
# What a list item reads: served by the (app_device_id, id) index, not the whole row.
LISTED = (
    "id",
    "tracking_code",
    "title",
    "status",
    "created_at",
    "deadline",
    "due_soon_at",
    "info_requested_at",
    "public_changed_at",
    "citizen_read_at",
)


def is_unread(feedback: Feedback) -> bool:
    """A change the citizen's history shows came after the device last read the report."""
    changed, read = feedback.public_changed_at, feedback.citizen_read_at
    return changed is not None and (read is None or changed > read)


async def my_reports(device_id: int, cursor: str | None, limit: int, ctx: ViewContext) -> MyReportPage:
    """The device's reports, newest first, by keyset on the id (400 for a cursor this list did not write)."""
    after = MINE_CURSOR.decode(cursor)
    rows = Feedback.filter(app_device_id=device_id)
    if after is not None:
        rows = rows.filter(id__lt=after[0])
    found = await rows.order_by("-id").limit(limit + 1).only(*LISTED)
    page = found[:limit]
    more = len(found) > limit
    return MyReportPage(
        items=[my_report_view(feedback, ctx) for feedback in page],
        next_cursor=MINE_CURSOR.encode(page[-1].id) if more else None,
    )


def my_report_view(feedback: Feedback, ctx: ViewContext) -> MyReport:
    shown = public_status(Status(feedback.status))
    changed = feedback.public_changed_at
    return MyReport(
        tracking_code=feedback.tracking_code,
        title=feedback.title,
        status=shown.value,
        status_label=public_label(shown, ctx.lang),
        created_at=feedback.created_at.astimezone(ctx.tz),
        deadline=feedback.deadline.astimezone(ctx.tz) if feedback.deadline else None,
        deadline_state=state_of(feedback, ctx.now),
        public_changed_at=changed.astimezone(ctx.tz) if changed else None,
        unread=is_unread(feedback),
    )


async def mark_read(feedback: Feedback, now: datetime) -> None:
    """Read as of `now`; written only when there is something unread, so that
    reading a report again and again costs no write."""
    if not is_unread(feedback):
        return
    await (
        Feedback.filter(id=feedback.id)
        .filter(Q(citizen_read_at__isnull=True) | Q(citizen_read_at__lt=now.astimezone(UTC)))
        .update(citizen_read_at=now.astimezone(UTC))
    )
    feedback.citizen_read_at = now
