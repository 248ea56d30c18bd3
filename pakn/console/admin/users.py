"""Staff accounts: the list, create, edit (role, agency, name), disable and
enable, and a new password (which revokes the old sessions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from pakn.accounts import (
    UserCreate,
    UserUpdate,
    service,
    user_view,
)
from pakn.console.language import N_, Language, language_of, translated
from pakn.console.pages import redirect, render
from pakn.console.session import posted, staff_page
from pakn.core.deps import now_of, settings_of
from pakn.core.pagination import ID, Cursor, parse_limit
from pakn.core.problems import FieldError, Problem, unprocessable
from pakn.core.query import PageQuery, read_query
from pakn.core.validation import parse_model
from pakn.domain.roles import Role

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import StaffUser
from pakn.console.admin.forms import Failure, done_message, optional, shown_on_form, text

USERS = "/console/admin/users"
USER_CURSOR = Cursor(ID)
MISMATCH = FieldError(
    "password_confirm", "mismatch", "Mật khẩu nhập lại không khớp.", "The passwords do not match."
)  # the API's cursor: the last account shown
ROLE_LABELS = {
    Role.ADMIN: N_("Quản trị viên"),
    Role.COORDINATOR: N_("Điều phối viên"),
    Role.HANDLER: N_("Cán bộ xử lý"),
    Role.VIEWER: N_("Người xem"),
}


class UsersQuery(PageQuery):
    done: str | None = None


# Users


async def users_form(
    request: Request, failure: Failure | None = None, values: dict[str, Any] | None = None
) -> Response:
    query = read_query(request, UsersQuery)
    limits = settings_of(request).limits
    after = USER_CURSOR.decode(query.cursor)
    limit = parse_limit(query.limit, limits.page_size_default, limits.page_size_max)
    users, last_id = await service.list_users(after[0] if after else None, limit)
    tz = settings_of(request).tz
    next_url = f"{USERS}?{urlencode({'cursor': USER_CURSOR.encode(last_id)})}" if last_id is not None else None
    return render(
        request,
        "admin_users.html",
        failure.status if failure else 200,
        users=[user_view(user, tz) for user in users],
        next_url=next_url,
        tz=tz,
        **await choices(language_of(request)),
        values=values or {"username": "", "role": Role.HANDLER.value, "agency": None, "full_name": "", "email": None},
        failure=failure,
        done=done_message(request),
    )


async def choices(lang: Language) -> dict[str, Any]:
    agencies = await service.list_agencies(include_inactive=True)
    return {
        "roles": translated(ROLE_LABELS, lang),
        "agency_names": {agency.code: agency.name for agency in agencies},
        "active_agencies": [agency for agency in agencies if agency.is_active],
    }


@staff_page(Role.ADMIN)
async def users_page(request: Request, user: StaffUser) -> Response:
    return await users_form(request)


@staff_page(Role.ADMIN)
async def create_user(request: Request, user: StaffUser) -> Response:
    form = posted(request)
    data = {
        "username": text(form, "username"),
        "password": text(form, "password"),
        "role": text(form, "role"),
        "agency": optional(form, "agency"),
        "full_name": text(form, "full_name"),
        "email": optional(form, "email"),
    }
    try:
        created = await service.create_user(parse_model(UserCreate, data), now_of(request))
    except Problem as problem:
        return await users_form(request, shown_on_form(problem, request), {**data, "password": ""})
    return redirect(request, f"{USERS}/{created.id}?done=user-created")


async def user_form(
    request: Request, account: StaffUser, failure: Failure | None = None, values: dict[str, Any] | None = None
) -> Response:
    tz = settings_of(request).tz
    shown = user_view(account, tz)
    return render(
        request,
        "admin_user.html",
        failure.status if failure else 200,
        account=shown,
        tz=tz,
        **await choices(language_of(request)),
        values=values or shown.model_dump(mode="json"),
        failure=failure,
        done=done_message(request),
    )


@staff_page(Role.ADMIN)
async def user_page(request: Request, user: StaffUser) -> Response:
    return await user_form(request, await service.get_user(request.path_params["user_id"]))


@staff_page(Role.ADMIN)
async def update_user(request: Request, user: StaffUser) -> Response:
    """Only the fields that changed are sent to the service, as a careful API
    client would: a handler of a since-deactivated agency can still be renamed."""
    form, account = posted(request), await service.get_user(request.path_params["user_id"])
    data = {
        "full_name": text(form, "full_name"),
        "email": optional(form, "email"),
        "role": text(form, "role"),
        "agency": optional(form, "agency"),
    }
    try:
        parsed = parse_model(UserUpdate, data)
        current = {"full_name": account.full_name, "email": account.email, "role": account.role}
        current["agency"] = account.agency_id
        changed = {name: data[name] for name in data if getattr(parsed, name) != current[name]}
        await service.update_user(account.id, parse_model(UserUpdate, changed), now_of(request))
    except Problem as problem:
        return await user_form(request, account, shown_on_form(problem, request), data)
    return redirect(request, f"{USERS}/{account.id}?done=user-updated")


@staff_page(Role.ADMIN)
async def set_password(request: Request, user: StaffUser) -> Response:
    form, account = posted(request), await service.get_user(request.path_params["user_id"])
    password = text(form, "password")
    try:
        if password != text(form, "password_confirm"):
            raise unprocessable([MISMATCH])
        await service.update_user(account.id, parse_model(UserUpdate, {"password": password}), now_of(request))
    except Problem as problem:
        return await user_form(request, account, shown_on_form(problem, request))
    return redirect(request, f"{USERS}/{account.id}?done=password-set")


@staff_page(Role.ADMIN)
async def disable_user(request: Request, user: StaffUser) -> Response:
    account = await service.get_user(request.path_params["user_id"])
    try:
        await service.disable_user(account.id, now_of(request))
    except Problem as problem:  # the last admin stays (409)
        return await user_form(request, account, shown_on_form(problem, request))
    return redirect(request, f"{USERS}/{account.id}?done=user-disabled")


@staff_page(Role.ADMIN)
async def enable_user(request: Request, user: StaffUser) -> Response:
    account = await service.update_user(request.path_params["user_id"], UserUpdate(is_active=True), now_of(request))
    return redirect(request, f"{USERS}/{account.id}?done=user-enabled")


# Agencies
