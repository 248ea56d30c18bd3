"""Moving a report through the workflow: one transaction, the row locked, the
version checked, an immutable event written beside the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from pakn.accounts.reach import can_see
from pakn.core.problems import Problem, not_found
from pakn.domain.roles import Role
from pakn.domain.status import HANDLED, Status
from pakn.models import Feedback, FeedbackEvent, StaffUser
from pakn.triage.effects import EFFECTS
from pakn.triage.workflow import Action, IllegalMove, next_status

# Status changes a citizen sees (with public wording); notes and reassignments stay internal.
PRIVATE_ACTIONS = frozenset({Action.COMMENT, Action.SET_CATEGORY, Action.SET_PRIORITY, Action.REASSIGN})


@dataclass(frozen=True)
class Actor:
    user: StaffUser
    review_required: bool = True

    @property
    def role(self) -> Role:
        return Role(self.user.role)


def illegal_move(exc: IllegalMove) -> Problem:
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


async def perform(
    feedback_id: int, move: Any, actor: Actor, expected_version: int | None, now: datetime
) -> Feedback:
    """Apply one action. `expected_version` None skips the check (bulk actions)."""
    async with in_transaction() as connection:
        feedback = await Feedback.select_for_update().using_db(connection).get_or_none(id=feedback_id)
        if feedback is None or not can_see(actor.user, feedback):
            raise not_found()
        if expected_version is not None and feedback.version != expected_version:
            raise stale_version(feedback.version)
        source = Status(feedback.status)
        try:
            target = next_status(source, move.action, actor.role, actor.review_required)
        except IllegalMove as exc:
            raise illegal_move(exc) from None
        action = Action(move.action)
        details = await EFFECTS[action](feedback, move, now)
        if target is Status.RESOLVED and action is Action.ANSWER:
            feedback.resolved_at = now  # published without review
        feedback.handled_at = _handled_at(feedback, source, target, now)
        feedback.status = target
        feedback.version += 1
        feedback.updated_at = now
        await feedback.save(using_db=connection)
        if target is Status.RESOLVED:
            await Feedback.filter(duplicate_of_id=feedback.id).using_db(connection).update(
                answer=feedback.answer
            )
        await FeedbackEvent.create(
            using_db=connection,
            feedback=feedback,
            action=action.value,
            from_status=source,
            to_status=target,
            note=move.note,
            details={key: value for key, value in details.items() if value is not None} or None,
            is_public=action not in PRIVATE_ACTIONS,
            actor_user=actor.user,
            actor=actor.user.username,
            created_at=now,
        )
    return feedback
