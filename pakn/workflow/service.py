"""Moving a report through the workflow: one transaction, the row locked, the
version checked, an immutable event written beside the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from pakn.accounts import can_see
from pakn.core.problems import Problem, not_found
from pakn.deadlines.service import apply_deadline
from pakn.domain.roles import Role
from pakn.domain.status import HANDLED, Status
from pakn.domain.workflow import (
    Action,
    IllegalMove,
    RoleMayNot,
    citizen_next_status,
    next_status,
    system_next_status,
)
from pakn.intelligence import is_pending
from pakn.mail import citizen_event, notify_citizen
from pakn.models import Attachment, Feedback, FeedbackEvent, StaffUser, Supplement
from pakn.workflow.commands import Command
from pakn.workflow.effects import Details, effect_of
from pakn.workflow.schemas import FeedbackStaff
from pakn.workflow.views import AttachmentUrl, staff_view

# Status changes a citizen sees (with public wording); notes and reassignments stay internal.
PRIVATE_ACTIONS = frozenset({Action.COMMENT, Action.SET_CATEGORY, Action.SET_PRIORITY, Action.REASSIGN, Action.EXTEND})


@dataclass(frozen=True)
class Actor:
    """Who moves the report: a staff account; the system (`user` None), the
    scheduler's own moves, which sees every report and may make only
    SYSTEM_TRANSITIONS; or the citizen, whose one move is the supplement (the
    door has checked the tracking code and token)."""

    user: StaffUser | None
    review_required: bool = True
    citizen: bool = False

    @property
    def role(self) -> Role:
        assert self.user is not None, "only staff have a role"
        return Role(self.user.role)

    def next_status(self, source: Status, action: str) -> Status:
        if self.citizen:
            return citizen_next_status(source, action)
        if self.user is None:
            return system_next_status(source, action)
        return next_status(source, action, self.role, self.review_required)

    def refusal(self, exc: IllegalMove) -> Problem:
        return nothing_requested() if self.citizen else illegal_move(exc)


SYSTEM = Actor(None)
CITIZEN = Actor(None, citizen=True)


@dataclass(frozen=True)
class Moved:
    """The report after the move, and the details its event keeps."""

    feedback: Feedback
    details: Details


def nothing_requested() -> Problem:
    return Problem(
        409,
        "no-information-requested",
        "Không có yêu cầu bổ sung",
        "No information was requested",
        "Phản ánh này hiện không cần bổ sung thông tin.",
        "This report is not waiting for more information.",
    )


def illegal_move(exc: IllegalMove) -> Problem:
    """409 when the status is the reason; 403 when the move exists in this
    status but the actor's role may not make it."""
    if isinstance(exc, RoleMayNot):
        return role_may_not(exc)
    allowed = ", ".join(exc.allowed) or "—"
    return Problem(
        409,
        "action-not-allowed",
        "Thao tác không được phép",
        "Action not allowed",
        f"Không thể '{exc.action}' khi phản ánh ở trạng thái '{exc.status.value}'. Được phép: {allowed}.",
        f"'{exc.action}' is not allowed in status '{exc.status.value}'. Allowed: {allowed}.",
        extra={"allowed_actions": exc.allowed},
    )


def role_may_not(exc: RoleMayNot) -> Problem:
    role, allowed = exc.role.value, ", ".join(exc.allowed) or "—"
    return Problem(
        403,
        "role-not-allowed",
        "Vai trò không được phép",
        "Role not allowed",
        f"Vai trò {role} không được phép {exc.action} (phản ánh đang ở trạng thái '{exc.status.value}'). "
        f"Vai trò này được phép: {allowed}.",
        f"The {role} role may not {exc.action} (the report is in status '{exc.status.value}'). "
        f"This role may: {allowed}.",
        extra={"role": role, "allowed_actions": exc.allowed},
    )


def stale_version(current: int) -> Problem:
    return Problem(
        412,
        "stale-version",
        "Dữ liệu đã thay đổi",
        "Precondition failed",
        "Phản ánh đã được người khác cập nhật; hãy tải lại rồi thử lại.",
        "The report was changed by someone else; reload it and try again.",
        headers={"ETag": etag(current)},
        extra={"current_version": current},
    )


def _handled_at(feedback: Feedback, source: Status, target: Status, now: datetime) -> datetime | None:
    """When the report entered a handled status; cleared when it leaves one (reopen)."""
    if target not in HANDLED:
        return None
    return feedback.handled_at if source in HANDLED else now


def etag(version: int) -> str:
    return f'"v{version}"'


async def visible_feedback(feedback_id: int, user: StaffUser) -> Feedback:
    """The report if this account may see it; otherwise it does not exist (404)."""
    feedback = await Feedback.get_or_none(id=feedback_id)
    if feedback is None or not can_see(user, feedback):
        raise not_found()
    return feedback


async def files_and_supplements(feedback_id: int) -> tuple[list[Attachment], list[Supplement]]:
    """A report's files and the citizen's supplements, oldest first, for its staff view."""
    files = await Attachment.filter(feedback_id=feedback_id).order_by("id")
    supplements = await Supplement.filter(feedback_id=feedback_id).order_by("id")
    return files, supplements


async def staff_detail(
    feedback: Feedback,
    user: StaffUser,
    *,
    tz: ZoneInfo,
    review_required: bool,
    attachment_url: AttachmentUrl,
    now: datetime,
) -> FeedbackStaff:
    """One report as staff see it (API and console): its files, the citizen's
    supplements, and whether the triage assessment is still running."""
    files, supplements = await files_and_supplements(feedback.id)
    return staff_view(
        feedback,
        user,
        files,
        supplements,
        tz=tz,
        review_required=review_required,
        attachment_url=attachment_url,
        now=now,
        assessment_pending=await is_pending(feedback.id),
    )


async def events_after(feedback_id: int, after: int | None, limit: int) -> list[FeedbackEvent]:
    """Up to `limit` of a report's events after the event `after`, oldest first."""
    rows = FeedbackEvent.filter(feedback_id=feedback_id)
    if after is not None:
        rows = rows.filter(id__gt=after)
    return await rows.order_by("id").limit(limit)


async def perform(
    feedback_id: int,
    move: Command,
    actor: Actor,
    expected_version: int | None,
    now: datetime,
) -> Moved:
    """Apply one command: every move of every actor (staff, the scheduler, the
    citizen's supplement) passes here. `expected_version` None skips the check
    (bulk actions, the citizen)."""
    async with in_transaction() as connection:
        feedback = await Feedback.select_for_update().using_db(connection).get_or_none(id=feedback_id)
        if feedback is None or (actor.user is not None and not can_see(actor.user, feedback)):
            raise not_found()
        if expected_version is not None and feedback.version != expected_version:
            raise stale_version(feedback.version)
        source = Status(feedback.status)
        try:
            target = actor.next_status(source, move.action)
        except IllegalMove as exc:
            raise actor.refusal(exc) from None
        action = Action(move.action)
        details = await effect_of(feedback, move, now)
        apply_deadline(feedback, action, source, target, now, details)
        if target is Status.RESOLVED and action is Action.ANSWER:
            feedback.resolved_at = now  # published without review
        feedback.handled_at = _handled_at(feedback, source, target, now)
        feedback.status = target
        feedback.version += 1
        feedback.updated_at = now
        public = action not in PRIVATE_ACTIONS
        # The change the citizen's view shows: "unread" in my reports, and a notice.
        notice = citizen_event(action, source, target, public=public)
        if notice is not None:
            feedback.public_changed_at = now
        await feedback.save(using_db=connection)
        if target is Status.RESOLVED:
            duplicates = Feedback.filter(duplicate_of_id=feedback.id).using_db(connection)
            await duplicates.update(answer=feedback.answer, public_changed_at=now)
        await FeedbackEvent.create(
            using_db=connection,
            feedback=feedback,
            action=action.value,
            from_status=source,
            to_status=target,
            note=move.note,
            details={key: value for key, value in details.items() if value is not None} or None,
            is_public=public,
            actor_user=actor.user,
            actor=actor.user.username if actor.user else None,
            created_at=now,
        )
        await notify_citizen(feedback, notice, details, now, connection)
    return Moved(feedback, details)
