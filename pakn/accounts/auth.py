"""Who is calling: bearer tokens of staff accounts, and what their role allows.

Every staff route starts with `await current_staff(request)` (401 without a
valid token) and then `require_role(user, ...)` (403 outside the role).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from starlette.requests import Request

from pakn.core.http import bearer_token
from pakn.core.problems import Problem, unauthorized
from pakn.domain.roles import Role
from pakn.models import StaffToken, StaffUser

TOKEN_PREFIX = "pst_"  # tells staff tokens apart from citizens' access tokens


def new_staff_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_staff_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(user: StaffUser, now: datetime, ttl: timedelta) -> tuple[str, StaffToken]:
    token = new_staff_token()
    record = await StaffToken.create(
        user=user, token_hash=hash_staff_token(token), created_at=now, expires_at=now + ttl
    )
    return token, record


async def staff_from_token(token: str | None, now: datetime) -> tuple[StaffUser, StaffToken] | None:
    """The active account behind a valid, unexpired, unrevoked token."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    # SQLite compares datetimes as text: compare in UTC, as stored.
    record = await StaffToken.get_or_none(
        token_hash=hash_staff_token(token), revoked_at=None, expires_at__gt=now.astimezone(UTC)
    ).select_related("user")
    if record is None or not record.user.is_active:
        return None
    return record.user, record


async def current_staff(request: Request) -> StaffUser:
    found = await staff_from_token(bearer_token(request), datetime.now(request.app.state.settings.tz))
    if found is None:
        raise unauthorized(
            "Cần đăng nhập bằng tài khoản cán bộ còn hiệu lực.",
            "Sign in with an active staff account.",
        )
    request.state.staff_token = found[1]
    return found[0]


def forbidden() -> Problem:
    return Problem(
        403,
        "forbidden",
        "Không có quyền",
        "Forbidden",
        "Tài khoản của bạn không được phép thực hiện thao tác này.",
        "Your account is not allowed to do this.",
    )


def require_role(user: StaffUser, *roles: Role) -> None:
    """Admins may do everything; anyone else must hold one of `roles`."""
    if user.role is not Role.ADMIN and user.role not in roles:
        raise forbidden()
