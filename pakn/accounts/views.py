"""From rows to replies: the signed-in account, users and agencies, instants
in the service's time zone."""

from __future__ import annotations

from datetime import tzinfo

from pakn.accounts.schemas import AgencyOut, MeOut, UserOut
from pakn.domain.roles import Role
from pakn.models import Agency, StaffUser


def me_view(user: StaffUser) -> MeOut:
    return MeOut(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=Role(user.role),
        agency=user.agency_id,
        email=user.email,
    )


def user_view(user: StaffUser, tz: tzinfo) -> UserOut:
    return UserOut(
        **me_view(user).model_dump(),
        is_active=user.is_active,
        created_at=user.created_at.astimezone(tz),
        updated_at=user.updated_at.astimezone(tz),
        last_login_at=user.last_login_at.astimezone(tz) if user.last_login_at else None,
    )


def agency_view(agency: Agency, tz: tzinfo) -> AgencyOut:
    return AgencyOut(
        code=agency.code,
        name=agency.name,
        emails=list(agency.emails or []),
        is_active=agency.is_active,
        created_at=agency.created_at.astimezone(tz),
        updated_at=agency.updated_at.astimezone(tz),
    )
