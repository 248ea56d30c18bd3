"""Staff accounts and agencies: sign-in, the admin's writes, the config seed.

Every write runs in one transaction; every function takes `now`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from pakn.accounts import throttle
from pakn.accounts.auth import issue_token
from pakn.accounts.passwords import hash_password, needs_rehash, verify_password
from pakn.accounts.schemas import AgencyCreate, AgencyUpdate, SignIn, UserCreate, UserUpdate
from pakn.core.problems import Problem, conflict, field_problem, not_found, unauthorized
from pakn.domain.roles import Role
from pakn.domain.status import HANDLED
from pakn.models import Agency, Feedback, StaffToken, StaffUser
from pakn.reference.service import vietnamese_sort_key
from pakn.settings import AgencyConfig, AuthConfig
from pakn.text import formatting as fmt

# Only these roles are bound to an agency; for the others it would mean nothing.
AGENCY_ROLES = frozenset({Role.HANDLER, Role.VIEWER})


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


# Sign-in


def bad_credentials() -> Problem:
    # One answer for an unknown name, a wrong password and a disabled account.
    return unauthorized("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password.")


async def sign_in(credentials: SignIn, address: str, now: datetime, config: AuthConfig) -> IssuedToken:
    attempt = throttle.Attempt.of(credentials.username, address)
    await throttle.check(attempt, now, config)
    user = await StaffUser.get_or_none(username=attempt.account)  # lowercased, within the column
    stored = user.password_hash if user is not None and user.is_active else None
    # argon2 takes tens of milliseconds of CPU: off the event loop. An unknown
    # account is checked against a dummy hash, so it takes as long.
    verified = await asyncio.to_thread(verify_password, credentials.password, stored)
    if user is None or not verified:
        await throttle.record_failure(attempt, now, config)
        raise bad_credentials()
    await throttle.record_success(attempt, now)
    ttl = timedelta(hours=config.token_ttl_hours)
    token, _ = await issue_token(user, now, ttl)
    # A bulk UPDATE writes datetimes as given; stored values are UTC.
    changes: dict[str, object] = {"last_login_at": now.astimezone(UTC)}
    if needs_rehash(user.password_hash):
        changes["password_hash"] = await asyncio.to_thread(hash_password, credentials.password)
    await StaffUser.filter(id=user.id).update(**changes)
    return IssuedToken(token, int(ttl.total_seconds()))


async def sign_out(token: StaffToken, now: datetime) -> None:
    await StaffToken.filter(id=token.id, revoked_at=None).update(revoked_at=now.astimezone(UTC))


# Agencies


async def sync_agencies(agencies: list[AgencyConfig], now: datetime) -> int:
    """Inserts the configured agencies that are missing; returns how many.

    The configuration only seeds: an agency already present, perhaps edited
    through the admin API, is left as it is.
    """
    codes = [agency.code for agency in agencies]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"duplicate agency codes: {', '.join(duplicates)}")
    async with in_transaction() as connection:
        query = Agency.filter(code__in=codes).using_db(connection).values_list("code", flat=True)
        existing = set(cast(list[str], await query))
        missing = [
            Agency(code=item.code, name=item.name, emails=list(item.emails), created_at=now, updated_at=now)
            for item in agencies
            if item.code not in existing
        ]
        if missing:
            # Two workers starting together insert the same rows: keep the first.
            await Agency.bulk_create(missing, ignore_conflicts=True, using_db=connection)
    return len(missing)


async def list_agencies(include_inactive: bool = False) -> list[Agency]:
    query = Agency.all() if include_inactive else Agency.filter(is_active=True)
    # Sorted here: database collations put "Đ" after "Z".
    return sorted(await query, key=lambda agency: vietnamese_sort_key(agency.name))


async def get_agency(code: str) -> Agency:
    agency = await Agency.get_or_none(code=code)
    if agency is None:
        raise not_found()
    return agency


async def create_agency(data: AgencyCreate, now: datetime) -> Agency:
    taken = conflict("agency-exists", f"Đơn vị {data.code} đã tồn tại.", f"Agency {data.code} already exists.")
    if await Agency.exists(code=data.code):
        raise taken
    try:
        async with in_transaction() as connection:
            return await Agency.create(**data.model_dump(), created_at=now, updated_at=now, using_db=connection)
    except IntegrityError:
        raise taken from None


async def update_agency(code: str, data: AgencyUpdate, now: datetime) -> Agency:
    async with in_transaction() as connection:
        agency = await Agency.filter(code=code).using_db(connection).select_for_update().first()
        if agency is None:
            raise not_found()
        if agency.is_active and data.is_active is False:
            await _refuse_open_reports(agency.code, connection)
        agency.update_from_dict({**data.model_dump(exclude_unset=True), "updated_at": now})
        await agency.save(using_db=connection)
    return agency


async def _refuse_open_reports(code: str, connection: BaseDBAsyncClient) -> None:
    """An agency that still holds open reports cannot be deactivated (409 with
    their count per status): nobody of it would work them any more. Refused
    rather than sent back to `received` on the quiet, so that the coordinators
    choose the successor (`reassign`) and the handlers' work and deadlines stay.

    Counted under the agency's row lock (taken by the caller): on PostgreSQL a
    report being assigned to it at this moment holds a key-share lock on that
    row, so it is either counted here or waits for this transaction."""
    rows = await (
        Feedback.filter(agency_id=code)
        .exclude(status__in=[status.value for status in HANDLED])
        .using_db(connection)
        .annotate(count=Count("id"))
        .group_by("status")
        .values_list("status", "count")
    )
    by_status = {str(status): int(count) for status, count in cast(list[tuple[str, int]], rows)}
    total = sum(by_status.values())
    if total:
        shown = fmt.count(total)
        raise Problem(
            409,
            "agency-has-open-reports",
            "Xung đột",
            "Conflict",
            f"Đơn vị {code} còn {shown} phản ánh chưa xử lý xong; "
            "hãy chuyển cho đơn vị khác trước khi ngừng hoạt động.",
            f"Agency {code} still holds {total:,} open reports; reassign them before deactivating it.",
            extra={"open_reports": total, "by_status": dict(sorted(by_status.items()))},
        )


async def deactivate_agency(code: str, now: datetime) -> Agency:
    return await update_agency(code, AgencyUpdate(is_active=False), now)


# Users


async def list_users(after_id: int | None, limit: int) -> tuple[list[StaffUser], int | None]:
    """One page in id order, and the id to continue after (None on the last page)."""
    query = StaffUser.all() if after_id is None else StaffUser.filter(id__gt=after_id)
    users = await query.order_by("id").limit(limit + 1)
    if len(users) > limit:
        return users[:limit], users[limit - 1].id
    return users, None


async def get_user(user_id: int) -> StaffUser:
    user = await StaffUser.get_or_none(id=user_id)
    if user is None:
        raise not_found()
    return user


async def find_user(username: str) -> StaffUser | None:
    return await StaffUser.get_or_none(username=username.strip().lower())


async def create_user(data: UserCreate, now: datetime) -> StaffUser:
    taken = conflict(
        "username-taken",
        f"Tên đăng nhập {data.username} đã được dùng.",
        f"Username {data.username} is taken.",
    )
    if await StaffUser.exists(username=data.username):
        raise taken
    await _check_agency(data.role, data.agency)
    password_hash = await asyncio.to_thread(hash_password, data.password)
    fields = data.model_dump(exclude={"password", "agency"})
    try:
        async with in_transaction() as connection:
            return await StaffUser.create(
                **fields,
                agency_id=data.agency,
                password_hash=password_hash,
                created_at=now,
                updated_at=now,
                using_db=connection,
            )
    except IntegrityError:
        raise taken from None


async def update_user(user_id: int, data: UserUpdate, now: datetime) -> StaffUser:
    """Applies the fields sent. Disabling the account or changing its password
    revokes its tokens in the same transaction."""
    changes = data.model_dump(exclude_unset=True, exclude={"password", "agency"})
    if "agency" in data.model_fields_set:
        changes["agency_id"] = data.agency
    if data.password is not None:
        changes["password_hash"] = await asyncio.to_thread(hash_password, data.password)
    async with in_transaction() as connection:
        user = await StaffUser.filter(id=user_id).using_db(connection).select_for_update().first()
        if user is None:
            raise not_found()
        role = Role(changes.get("role", user.role))
        # Checked only when it changes: renaming a handler of a since-deactivated
        # agency must still work.
        if changes.keys() & {"role", "agency_id"}:
            await _check_agency(role, changes.get("agency_id", user.agency_id))
        await _keep_an_admin(user, role, changes.get("is_active", user.is_active))
        user.update_from_dict({**changes, "updated_at": now})
        await user.save(using_db=connection)
        if not user.is_active or data.password is not None:
            await (
                StaffToken.filter(user_id=user.id, revoked_at=None)
                .using_db(connection)
                .update(revoked_at=now.astimezone(UTC))
            )
    return user


async def disable_user(user_id: int, now: datetime) -> StaffUser:
    return await update_user(user_id, UserUpdate(is_active=False), now)


async def _check_agency(role: Role, agency_code: str | None) -> None:
    if agency_code is None:
        if role is Role.HANDLER:
            raise field_problem(
                "agency", "required", "Cán bộ xử lý phải thuộc một đơn vị.", "A handler needs an agency."
            )
        return
    if role not in AGENCY_ROLES:
        raise field_problem(
            "agency",
            "not_allowed",
            "Chỉ cán bộ xử lý và người xem mới gắn với một đơn vị.",
            "Only handlers and viewers belong to an agency.",
        )
    if not await Agency.exists(code=agency_code, is_active=True):
        raise field_problem(
            "agency",
            "unknown_agency",
            f"Không có đơn vị đang hoạt động với mã {agency_code}.",
            f"No active agency has the code {agency_code}.",
        )


async def _keep_an_admin(user: StaffUser, role: Role, is_active: bool) -> None:
    """Refuses to demote or disable the last active admin: nobody could undo it
    but through the command line."""
    if Role(user.role) is not Role.ADMIN or not user.is_active or (role is Role.ADMIN and is_active):
        return
    if not await StaffUser.filter(role=Role.ADMIN, is_active=True).exclude(id=user.id).exists():
        raise conflict(
            "last-admin",
            "Không thể bỏ quyền hoặc khoá quản trị viên cuối cùng.",
            "The last active admin cannot be demoted or disabled.",
        )
