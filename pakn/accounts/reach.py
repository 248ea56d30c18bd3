"""Which reports a staff account may see: handlers (and agency-bound viewers)
see their agency's reports only; a report out of reach does not exist (404)."""

from __future__ import annotations

from tortoise.expressions import Q

from pakn.domain.roles import AGENCY_SCOPED, Role
from pakn.models import Feedback, StaffUser


def agency_scope(user: StaffUser) -> str | None:
    """The one agency this account is limited to, or None for all."""
    if Role(user.role) in AGENCY_SCOPED and user.agency_id is not None:
        return str(user.agency_id)
    if Role(user.role) is Role.HANDLER:
        return ""  # a handler without an agency sees nothing
    return None


def reach_filter(user: StaffUser) -> Q:
    scope = agency_scope(user)
    return Q() if scope is None else Q(agency_id=scope)


def can_see(user: StaffUser, feedback: Feedback) -> bool:
    scope = agency_scope(user)
    return scope is None or feedback.agency_id == scope
