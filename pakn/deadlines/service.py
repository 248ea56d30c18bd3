"""Keeping a report's deadline as it moves: the hooks that intake, the workflow
and the citizen's supplement call inside their own transactions.

The deadline in force is kept on the report (`deadline`, `deadline_kind`,
`due_soon_at`): to assign from receipt, then to resolve from assignment. It is
moved, never recounted, by what happens to the report afterwards (the time the
report waited for the citizen, an extension), so that the stored instant is
always the one to meet, and statistics compare `handled_at` with it.

The policy is the process's, installed by `create_app` (or the scheduler) from
its settings, as the mail settings are: the services that set deadlines are
called from many places that have no settings at hand.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pakn.core import context
from pakn.core.problems import field_problem
from pakn.deadlines.policy import STATE_NAMES, DeadlinePolicy, Kind, StateName, deadline_state, level
from pakn.domain.channels import Priority
from pakn.domain.status import HANDLED, Status
from pakn.domain.workflow import Action
from pakn.models import Feedback

RESTART_RESOLVE = frozenset({Action.ASSIGN, Action.REASSIGN, Action.REOPEN})
MAX_EXTENSION = timedelta(days=366)


def current_policy() -> DeadlinePolicy:
    """The policy of the process's settings (pakn/core/context.py)."""
    return context.derived(DeadlinePolicy.from_settings)


def intake_fields(category: str | None, now: datetime, priority: Priority = Priority.NORMAL) -> dict[str, Any]:
    """The deadline fields of a new report: to be assigned within the assign time."""
    policy = current_policy()
    deadline = policy.deadline(Kind.ASSIGN, now, category, priority)
    return {
        "deadline": deadline,
        "deadline_kind": Kind.ASSIGN.value,
        "due_soon_at": policy.due_soon_at(deadline, category, priority),
    }


def apply_deadline(
    feedback: Feedback, action: Action, source: Status, target: Status, now: datetime, details: dict[str, Any]
) -> None:
    """After a workflow action's effect, before the report is saved."""
    if target in HANDLED:
        return  # kept as it stood: "on time" compares it with handled_at
    policy = current_policy()
    if action in RESTART_RESOLVE:
        _restart(feedback, Kind.RESOLVE, now, policy)
    elif action is Action.DECLINE:
        # Back with the coordinators, who had the assign time from receipt.
        _restart(feedback, Kind.ASSIGN, feedback.created_at, policy)
    elif action is Action.SET_PRIORITY and "previous" in details:
        previous = details["previous"]
        _rebase(feedback, feedback.category_id, level(previous["priority"], previous["urgent"]), policy)
    elif action is Action.SET_CATEGORY:
        _rebase(feedback, details.get("previous_category"), _level(feedback), policy)


def resume_clock(feedback: Feedback, now: datetime) -> dict[str, Any]:
    """The citizen answered: move the deadline by the office time it waited.
    Returns what to keep on the event."""
    if feedback.deadline is None or feedback.info_requested_at is None:
        return {}
    policy = current_policy()
    paused = policy.calendar.working_time_between(feedback.info_requested_at, now)
    feedback.deadline = policy.shift(feedback.deadline, paused)
    _refresh_due_soon(feedback, policy)
    return {"paused_minutes": round(paused.total_seconds() / 60)}


def extend(feedback: Feedback, new_deadline: datetime, reason: str, now: datetime) -> dict[str, Any]:
    """A coordinator's extension: later than both now and the current deadline,
    and within a year (the holiday calendar, and common sense, stop somewhere)."""
    current = feedback.deadline
    if new_deadline <= now or (current is not None and new_deadline <= current):
        raise field_problem(
            "deadline",
            "deadline_not_later",
            "Hạn mới phải ở tương lai và muộn hơn hạn hiện tại.",
            "The new deadline must be in the future and later than the current one.",
        )
    if new_deadline > now + MAX_EXTENSION:
        raise field_problem(
            "deadline",
            "deadline_too_far",
            "Hạn mới không được quá một năm kể từ bây giờ.",
            "The new deadline must be within a year from now.",
        )
    policy = current_policy()
    feedback.deadline = new_deadline.astimezone(policy.calendar.tz)
    if feedback.deadline_kind is None:
        feedback.deadline_kind = (Kind.RESOLVE if feedback.assigned_at else Kind.ASSIGN).value
    _refresh_due_soon(feedback, policy)
    return {
        "deadline": feedback.deadline.isoformat(),
        "previous_deadline": current.astimezone(policy.calendar.tz).isoformat() if current else None,
        "reason": reason,
    }


def _level(feedback: Feedback) -> Priority:
    return level(str(feedback.priority), feedback.urgent)  # a StrEnum reads as its value


def _restart(feedback: Feedback, kind: Kind, start: datetime, policy: DeadlinePolicy) -> None:
    feedback.deadline = policy.deadline(kind, start, feedback.category_id, _level(feedback))
    feedback.deadline_kind = kind.value
    _refresh_due_soon(feedback, policy)


def _rebase(feedback: Feedback, old_category: str | None, old_level: Priority, policy: DeadlinePolicy) -> None:
    """Count the current deadline again from its start under the new priority or
    category, keeping what was added to it since (pauses, extensions): the
    deadline moves by the difference, in office time, between the two counts."""
    if feedback.deadline is None or feedback.deadline_kind is None:
        return
    kind = Kind(feedback.deadline_kind)
    start = feedback.assigned_at if kind is Kind.RESOLVE else feedback.created_at
    if start is None:
        return
    old = policy.deadline(kind, start, old_category, old_level)
    new = policy.deadline(kind, start, feedback.category_id, _level(feedback))
    feedback.deadline = policy.shift(feedback.deadline, policy.calendar.working_time_between(old, new))
    _refresh_due_soon(feedback, policy)


def _refresh_due_soon(feedback: Feedback, policy: DeadlinePolicy) -> None:
    assert feedback.deadline is not None
    feedback.due_soon_at = policy.due_soon_at(feedback.deadline, feedback.category_id, _level(feedback))


def state_of(feedback: Feedback, now: datetime) -> StateName | None:
    """The report's `deadline_state` for the views, as of `now`."""
    state = deadline_state(
        Status(feedback.status), feedback.deadline, feedback.due_soon_at, feedback.info_requested_at, now
    )
    return STATE_NAMES[state] if state else None
