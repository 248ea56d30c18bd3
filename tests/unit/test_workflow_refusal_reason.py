"""A refused move says why: the role (the move exists in this status) or the status."""

from __future__ import annotations

import itertools

import pytest

from pakn.domain.roles import Role
from pakn.domain.status import Status
from pakn.domain.workflow import ROLE_ACTIONS, Action, IllegalMove, RoleMayNot, _target, next_status

STAFF_ACTIONS = [action for action in Action if action is not Action.SUPPLEMENT]


@pytest.mark.parametrize(("status", "action", "role"), list(itertools.product(Status, STAFF_ACTIONS, Role)))
def test_a_refusal_blames_the_role_exactly_when_the_move_exists_in_this_status(
    status: Status, action: Action, role: Role
) -> None:
    exists = _target(status, action, True) is not None
    if exists and action in ROLE_ACTIONS[role]:
        return  # allowed: covered row by row in test_workflow_table
    with pytest.raises(IllegalMove) as refused:
        next_status(status, action.value, role)
    assert isinstance(refused.value, RoleMayNot) is exists
    if exists:
        assert refused.value.role is role  # type: ignore[attr-defined]


def test_a_handler_approving_an_answer_is_refused_for_its_role() -> None:
    with pytest.raises(RoleMayNot) as refused:
        next_status(Status.ANSWERED, "approve", Role.HANDLER)
    assert (refused.value.role, refused.value.allowed) == (Role.HANDLER, ["comment", "set_category", "set_priority"])


def test_an_unknown_action_is_the_status_tables_refusal_not_the_roles() -> None:
    with pytest.raises(IllegalMove) as refused:
        next_status(Status.ANSWERED, "teleport", Role.HANDLER)
    assert not isinstance(refused.value, RoleMayNot)
