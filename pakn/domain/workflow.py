"""The workflow as a table: (status, action) → status, and who may act.

Pure code: no ORM, no I/O. Everything else asks this module whether a move is
allowed and where it leads; anything not in the table raises `IllegalMove`
with the actions that *are* allowed, which the API returns as a 409. A move
that is in the table for this status but not the actor role's to make raises
its subclass `RoleMayNot`, a 403: the user is told the role is the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pakn.domain.roles import Role
from pakn.domain.status import HANDLED, Status


class Action(StrEnum):
    ASSIGN = "assign"
    REJECT = "reject"
    MERGE = "merge"
    START = "start"
    REASSIGN = "reassign"
    DECLINE = "decline"
    REQUEST_INFO = "request_info"
    SUPPLEMENT = "supplement"  # the citizen answers a request for information
    ANSWER = "answer"
    APPROVE = "approve"
    RETURN = "return"
    REOPEN = "reopen"
    CLOSE = "close"
    COMMENT = "comment"
    SET_CATEGORY = "set_category"
    SET_PRIORITY = "set_priority"
    EXTEND = "extend"  # a coordinator moves the deadline later, on record


S = Status
OPEN = frozenset(status for status in Status if status not in HANDLED)

# Moves that change the status.
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (S.RECEIVED, Action.ASSIGN): S.ASSIGNED,
    (S.RECEIVED, Action.REJECT): S.REJECTED,
    (S.ASSIGNED, Action.REJECT): S.REJECTED,
    (S.RECEIVED, Action.MERGE): S.DUPLICATE,
    (S.ASSIGNED, Action.MERGE): S.DUPLICATE,
    (S.IN_PROGRESS, Action.MERGE): S.DUPLICATE,
    (S.ASSIGNED, Action.START): S.IN_PROGRESS,
    (S.ASSIGNED, Action.REASSIGN): S.ASSIGNED,
    (S.IN_PROGRESS, Action.REASSIGN): S.ASSIGNED,
    (S.ASSIGNED, Action.DECLINE): S.RECEIVED,
    (S.IN_PROGRESS, Action.DECLINE): S.RECEIVED,
    (S.IN_PROGRESS, Action.REQUEST_INFO): S.INFO_REQUESTED,
    (S.INFO_REQUESTED, Action.SUPPLEMENT): S.IN_PROGRESS,
    (S.IN_PROGRESS, Action.ANSWER): S.ANSWERED,
    (S.ANSWERED, Action.APPROVE): S.RESOLVED,
    (S.ANSWERED, Action.RETURN): S.IN_PROGRESS,
    (S.RESOLVED, Action.REOPEN): S.IN_PROGRESS,
    (S.RESOLVED, Action.CLOSE): S.CLOSED,
}

# Moves that keep the status, allowed on any open report.
NOTES = frozenset({Action.COMMENT, Action.SET_CATEGORY, Action.SET_PRIORITY})
# Everything that keeps the status: the notes, and extending the deadline.
STAYS = NOTES | {Action.EXTEND}

# Each role's own moves. Coordinators do not write answers for an agency;
# handlers do not assign, reject or approve. Admins may do everything.
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.COORDINATOR: frozenset(
        {
            Action.ASSIGN,
            Action.REJECT,
            Action.MERGE,
            Action.REASSIGN,
            Action.APPROVE,
            Action.RETURN,
            Action.REOPEN,
            Action.CLOSE,
            Action.EXTEND,
            *NOTES,
        }
    ),
    Role.HANDLER: frozenset({Action.START, Action.DECLINE, Action.REQUEST_INFO, Action.ANSWER, *NOTES}),
    Role.VIEWER: frozenset(),
    Role.ADMIN: frozenset(Action) - {Action.SUPPLEMENT},
}

# Actions that apply to many reports at once (bulk).
BULK_ACTIONS = frozenset({Action.ASSIGN, Action.REJECT, Action.MERGE})


@dataclass
class IllegalMove(Exception):
    """The move is not in the table for this status (409)."""

    status: Status
    action: str
    allowed: list[str]


@dataclass
class RoleMayNot(IllegalMove):
    """The move is in the table for this status, but not this role's to make (403)."""

    role: Role = Role.VIEWER


def _target(status: Status, action: Action, review_required: bool) -> Status | None:
    if action in STAYS:
        return status if status in OPEN else None
    target = TRANSITIONS.get((status, action))
    if target is S.ANSWERED and not review_required:
        return S.RESOLVED
    return target


def allowed_actions(status: Status, role: Role, review_required: bool = True) -> list[Action]:
    """The actions this role may take on a report in this status, in table order."""
    permitted = ROLE_ACTIONS[role]
    return [action for action in Action if action in permitted and _target(status, action, review_required) is not None]


def next_status(status: Status, action: str, role: Role, review_required: bool = True) -> Status:
    """Where `action` by `role` leads from `status`, or IllegalMove."""
    try:
        move = Action(action)
    except ValueError:
        move = None
    target = _target(status, move, review_required) if move else None
    if move is not None and target is not None and move in ROLE_ACTIONS[role]:
        return target
    allowed = [a.value for a in allowed_actions(status, role, review_required)]
    if target is not None and move is not Action.SUPPLEMENT:
        raise RoleMayNot(status, action, allowed, role)
    raise IllegalMove(status, action, allowed)


# Moves the scheduler makes on its own, with no staff role: closing a resolved
# report after the waiting period, and refusing one whose citizen never sent
# the information asked for (reason "incomplete").
SYSTEM_TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (S.RESOLVED, Action.CLOSE): S.CLOSED,
    (S.INFO_REQUESTED, Action.REJECT): S.REJECTED,
}


def system_next_status(status: Status, action: str) -> Status:
    """Where a move by the system leads, or IllegalMove."""
    try:
        target = SYSTEM_TRANSITIONS.get((status, Action(action)))
    except ValueError:
        target = None
    if target is None:
        allowed = [move.value for (source, move) in SYSTEM_TRANSITIONS if source is status]
        raise IllegalMove(status, action, allowed)
    return target


def citizen_next_status(status: Status, action: str) -> Status:
    """Where the citizen's one move, the supplement, leads; IllegalMove when
    nothing was asked (or for any other action)."""
    target = TRANSITIONS.get((status, Action.SUPPLEMENT)) if action == Action.SUPPLEMENT else None
    if target is None:
        raise IllegalMove(status, action, [])
    return target
