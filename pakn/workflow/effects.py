"""What each action does to a report besides moving its status.

Each effect gets the locked report, the command and the instant, checks
what only the database can tell (the agency exists, the original is not a
duplicate ...) and sets fields. It returns the details kept on the event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, assert_never

from pakn.core.problems import Problem, conflict, field_problem
from pakn.deadlines import service as deadlines
from pakn.domain.channels import Priority
from pakn.domain.status import Status
from pakn.domain.workflow import Action
from pakn.models import Agency, Attachment, Category, Feedback
from pakn.models import Supplement as SupplementRow
from pakn.workflow.commands import (
    AnswerIn,
    Assign,
    Command,
    Extend,
    Merge,
    NoteRequired,
    Plain,
    Reassign,
    Reject,
    RequestInfo,
    SetCategory,
    SetPriority,
    Supplement,
)

Details = dict[str, Any]
# The moves whose command carries nothing but the action and a note.
PlainEffect = Callable[[Feedback, datetime], Awaitable[Details]]


async def _agency(code: str) -> str:
    # Locked until the move commits: a deactivation, which counts the agency's open
    # reports under the same row lock, then either sees this report or is seen by it.
    if await Agency.filter(code=code, is_active=True).select_for_update().first() is None:
        raise field_problem("agency", "unknown_agency", "Đơn vị xử lý không tồn tại.", "Unknown agency.")
    return code


async def _category(code: str) -> str:
    if not await Category.filter(code=code, is_active=True).exists():
        raise field_problem("category", "unknown_category", "Lĩnh vực không tồn tại.", "Unknown category.")
    return code


def _priority(feedback: Feedback, priority: str, urgent: bool | None = None) -> None:
    feedback.priority = Priority(priority)
    feedback.urgent = urgent if urgent is not None else priority == Priority.URGENT


async def assign(feedback: Feedback, move: Assign, now: datetime) -> Details:
    feedback.agency_id = await _agency(move.agency)
    if move.category:
        feedback.category_id = await _category(move.category)
    if move.priority:
        _priority(feedback, move.priority)
    feedback.assigned_at = now
    return {"agency": move.agency, "category": move.category, "priority": move.priority}


async def reassign(feedback: Feedback, move: Reassign, now: datetime) -> Details:
    previous = feedback.agency_id
    feedback.agency_id = await _agency(move.agency)
    feedback.assigned_at = now
    feedback.started_at = None
    return {"agency": move.agency, "previous_agency": previous}


async def decline(feedback: Feedback, now: datetime) -> Details:
    previous = feedback.agency_id
    feedback.agency_id = None
    feedback.assigned_at = feedback.started_at = None
    return {"previous_agency": previous}


async def reject(feedback: Feedback, move: Reject, now: datetime) -> Details:
    feedback.reject_reason = move.reason
    feedback.rejected_at = now
    return {"reason": move.reason}


async def merge(feedback: Feedback, move: Merge, now: datetime) -> Details:
    original = await Feedback.get_or_none(id=move.duplicate_of)
    if move.duplicate_of == feedback.id:
        raise _merge_refused("Không thể gộp phản ánh vào chính nó.", "A report cannot be merged into itself.")
    if original is None:
        raise field_problem(
            "duplicate_of", "not_found", "Không tìm thấy phản ánh gốc.", "The original report was not found."
        )
    if Status(original.status) is Status.DUPLICATE:
        raise _merge_refused(
            "Phản ánh gốc đã là bản trùng, hãy gộp vào phản ánh gốc của nó.",
            "The original is itself a duplicate: merge into its original.",
        )
    feedback.duplicate_of_id = original.id
    feedback.resolved_at = now
    if Status(original.status) in (Status.RESOLVED, Status.CLOSED):
        feedback.answer = original.answer  # the duplicate gets the published answer
    return {"duplicate_of": original.id, "original_tracking_code": original.tracking_code}


def _merge_refused(vi: str, en: str) -> Problem:
    return conflict("merge-refused", vi, en)


async def start(feedback: Feedback, now: datetime) -> Details:
    feedback.started_at = now
    return {}


async def request_info(feedback: Feedback, move: RequestInfo, now: datetime) -> Details:
    feedback.info_requested_at = now
    return {"message": move.message}


async def answer(feedback: Feedback, move: AnswerIn, now: datetime) -> Details:
    feedback.answer = move.answer
    feedback.answered_at = now
    return {"answer": move.answer}


async def approve(feedback: Feedback, now: datetime) -> Details:
    feedback.resolved_at = now
    return {}


async def reopen(feedback: Feedback, now: datetime) -> Details:
    feedback.resolved_at = feedback.closed_at = None
    return {}


async def close(feedback: Feedback, now: datetime) -> Details:
    feedback.closed_at = now
    return {}


async def set_category(feedback: Feedback, move: SetCategory, now: datetime) -> Details:
    previous = feedback.category_id
    feedback.category_id = await _category(move.category)
    return {"category": move.category, "previous_category": previous}


async def set_priority(feedback: Feedback, move: SetPriority, now: datetime) -> Details:
    previous = {"priority": str(feedback.priority.value), "urgent": feedback.urgent}
    _priority(feedback, move.priority, move.urgent)
    return {"priority": move.priority, "urgent": feedback.urgent, "previous": previous}


async def extend(feedback: Feedback, move: Extend, now: datetime) -> Details:
    return deadlines.extend(feedback, move.deadline, move.reason, now)


async def nothing(feedback: Feedback, now: datetime) -> Details:
    return {}


async def supplement(feedback: Feedback, move: Supplement, now: datetime) -> Details:
    row = await SupplementRow.create(feedback=feedback, content=move.content, created_at=now)
    for fields in move.attachments:
        await Attachment.create(feedback=feedback, supplement=row, **fields)
    paused = deadlines.resume_clock(feedback, now)  # the clock stopped while the citizen was asked
    return {"supplement_id": row.id, **paused}


PLAIN_EFFECTS: dict[Action, PlainEffect] = {
    Action.DECLINE: decline,
    Action.START: start,
    Action.APPROVE: approve,
    Action.RETURN: nothing,
    Action.REOPEN: reopen,
    Action.CLOSE: close,
    Action.COMMENT: nothing,
}


async def effect_of(feedback: Feedback, move: Command, now: datetime) -> Details:
    """Apply the command's effect to the locked report; the details for its event."""
    match move:
        case Assign():
            return await assign(feedback, move, now)
        case Reassign():
            return await reassign(feedback, move, now)
        case Reject():
            return await reject(feedback, move, now)
        case Merge():
            return await merge(feedback, move, now)
        case RequestInfo():
            return await request_info(feedback, move, now)
        case AnswerIn():
            return await answer(feedback, move, now)
        case SetCategory():
            return await set_category(feedback, move, now)
        case SetPriority():
            return await set_priority(feedback, move, now)
        case Extend():
            return await extend(feedback, move, now)
        case Supplement():
            return await supplement(feedback, move, now)
        case Plain() | NoteRequired():
            return await PLAIN_EFFECTS[Action(move.action)](feedback, now)
        case _:
            assert_never(move)
