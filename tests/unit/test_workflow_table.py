"""The transition table, row by row: every (status, action) pair, for every role."""

from __future__ import annotations

import itertools

import pytest

from pakn.domain.roles import Role
from pakn.domain.status import HANDLED, Status
from pakn.domain.workflow import (
    SYSTEM_TRANSITIONS,
    TRANSITIONS,
    Action,
    IllegalMove,
    allowed_actions,
    citizen_next_status,
    next_status,
    system_next_status,
)

S, A = Status, Action

# The issue's table, written out independently of the implementation.
EXPECTED: dict[tuple[Status, Action], Status] = {
    (S.RECEIVED, A.ASSIGN): S.ASSIGNED,
    (S.RECEIVED, A.REJECT): S.REJECTED,
    (S.ASSIGNED, A.REJECT): S.REJECTED,
    (S.RECEIVED, A.MERGE): S.DUPLICATE,
    (S.ASSIGNED, A.MERGE): S.DUPLICATE,
    (S.IN_PROGRESS, A.MERGE): S.DUPLICATE,
    (S.ASSIGNED, A.START): S.IN_PROGRESS,
    (S.ASSIGNED, A.REASSIGN): S.ASSIGNED,
    (S.IN_PROGRESS, A.REASSIGN): S.ASSIGNED,
    (S.ASSIGNED, A.DECLINE): S.RECEIVED,
    (S.IN_PROGRESS, A.DECLINE): S.RECEIVED,
    (S.IN_PROGRESS, A.REQUEST_INFO): S.INFO_REQUESTED,
    (S.IN_PROGRESS, A.ANSWER): S.ANSWERED,
    (S.ANSWERED, A.APPROVE): S.RESOLVED,
    (S.ANSWERED, A.RETURN): S.IN_PROGRESS,
    (S.RESOLVED, A.REOPEN): S.IN_PROGRESS,
    (S.RESOLVED, A.CLOSE): S.CLOSED,
}
NOTES = (A.COMMENT, A.SET_CATEGORY, A.SET_PRIORITY)
# Moves that keep the status on any open report: the notes, and extending the deadline.
STAYS = (*NOTES, A.EXTEND)
COORDINATOR = {A.ASSIGN, A.REJECT, A.MERGE, A.REASSIGN, A.APPROVE, A.RETURN, A.REOPEN, A.CLOSE, A.EXTEND, *NOTES}
HANDLER = {A.START, A.DECLINE, A.REQUEST_INFO, A.ANSWER, *NOTES}
ROLE_MOVES = {
    Role.ADMIN: set(Action) - {A.SUPPLEMENT},
    Role.COORDINATOR: COORDINATOR,
    Role.HANDLER: HANDLER,
    Role.VIEWER: set(),
}
STAFF_ACTIONS = [action for action in Action if action is not A.SUPPLEMENT]


def expected_target(status: Status, action: Action) -> Status | None:
    if action in STAYS:
        return status if status not in HANDLED else None
    return EXPECTED.get((status, action))


@pytest.mark.parametrize(("status", "action", "role"), list(itertools.product(Status, STAFF_ACTIONS, Role)))
def test_each_pair_moves_as_the_table_says_or_is_refused(status: Status, action: Action, role: Role) -> None:
    target = expected_target(status, action)
    if target is not None and action in ROLE_MOVES[role]:
        assert next_status(status, action.value, role) is target
    else:
        with pytest.raises(IllegalMove) as refused:
            next_status(status, action.value, role)
        assert refused.value.allowed == [a.value for a in allowed_actions(status, role)]


def test_the_table_has_exactly_the_issues_moves_and_the_citizens_supplement() -> None:
    assert {key: value for key, value in TRANSITIONS.items() if key[1] is not A.SUPPLEMENT} == EXPECTED
    assert TRANSITIONS[(S.INFO_REQUESTED, A.SUPPLEMENT)] is S.IN_PROGRESS


def test_without_review_an_answer_is_published_at_once() -> None:
    assert next_status(S.IN_PROGRESS, "answer", Role.HANDLER, review_required=False) is S.RESOLVED
    assert next_status(S.IN_PROGRESS, "answer", Role.HANDLER, review_required=True) is S.ANSWERED


def test_an_unknown_action_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(IllegalMove) as refused:
        next_status(S.RECEIVED, "teleport", Role.COORDINATOR)
    assert refused.value.allowed == ["assign", "reject", "merge", "comment", "set_category", "set_priority", "extend"]


def test_handled_reports_take_no_notes() -> None:
    for status in HANDLED:
        assert not {A.COMMENT, A.SET_CATEGORY, A.SET_PRIORITY, A.EXTEND} & set(allowed_actions(status, Role.ADMIN))


def test_the_citizen_supplements_only_when_asked() -> None:
    assert citizen_next_status(S.INFO_REQUESTED, "supplement") is S.IN_PROGRESS
    for status in set(Status) - {S.INFO_REQUESTED}:
        with pytest.raises(IllegalMove):
            citizen_next_status(status, "supplement")


def test_the_citizen_has_no_other_move() -> None:
    for action in set(Action) - {Action.SUPPLEMENT}:
        with pytest.raises(IllegalMove):
            citizen_next_status(S.INFO_REQUESTED, action.value)


def test_a_viewer_may_do_nothing() -> None:
    assert all(allowed_actions(status, Role.VIEWER) == [] for status in Status)


def test_only_coordinators_and_admins_extend_a_deadline_and_only_while_open() -> None:
    for status in Status:
        for role in Role:
            may = status not in HANDLED and role in (Role.COORDINATOR, Role.ADMIN)
            assert (A.EXTEND in allowed_actions(status, role)) is may, (status, role)


def test_the_system_closes_resolved_reports_and_rejects_those_left_incomplete_only() -> None:
    assert SYSTEM_TRANSITIONS == {(S.RESOLVED, A.CLOSE): S.CLOSED, (S.INFO_REQUESTED, A.REJECT): S.REJECTED}
    assert system_next_status(S.INFO_REQUESTED, "reject") is S.REJECTED
    for status, action in itertools.product(Status, STAFF_ACTIONS):
        if (status, action) not in SYSTEM_TRANSITIONS:
            with pytest.raises(IllegalMove):
                system_next_status(status, action.value)
