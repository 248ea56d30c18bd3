"""Administration in the console, for admins only: staff accounts, agencies
and the Open311 client keys.

Every form is parsed into the admin API's own schemas (`UserCreate`,
`UserUpdate`, `AgencyCreate`, `AgencyUpdate`) and goes through the same
`pakn.accounts` service, so a rule (a handler needs an active agency, the last
admin stays, an agency with open reports stays active) lives in one place.
Bad input and conflicts re-render the form with the API's status (422, 409)
and the typed values, except a password; anything else is an error page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import (
    AgencyCreate,
    AgencyUpdate,
    UserCreate,
    UserUpdate,
    agency_view,
    api_client_by_id,
    create_api_client,
    list_api_clients,
    revoke_api_client,
    service,
    user_view,
)
from pakn.console.pages import redirect, render
from pakn.console.session import posted, staff_page
from pakn.core import routing as _routing  # noqa: F401  (registers the `id` path convertor)
from pakn.core.deps import now_of, settings_of
from pakn.core.pagination import ID, Cursor, parse_limit
from pakn.core.problems import FieldError, Problem, not_found, unprocessable
from pakn.core.query import PageQuery, read_query
from pakn.core.validation import parse_model
from pakn.domain.roles import Role

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import StaffUser

USERS = "/console/admin/users"
AGENCIES = "/console/admin/agencies"
KEYS = "/console/admin/keys"
USER_CURSOR = Cursor(ID)  # the API's cursor: the last account shown
SHOWN_ON_FORM = frozenset({400, 409, 422})  # refusals shown with the form kept; others are an error page
ROLE_LABELS = {
    Role.ADMIN: "Quản trị viên",
    Role.COORDINATOR: "Điều phối viên",
    Role.HANDLER: "Cán bộ xử lý",
    Role.VIEWER: "Người xem",
}
DONE = {
    "user-created": "Đã tạo tài khoản.",
    "user-updated": "Đã lưu thông tin tài khoản.",
    "user-disabled": "Đã khoá tài khoản; mọi phiên đăng nhập của tài khoản đã bị thu hồi.",
    "user-enabled": "Đã mở khoá tài khoản.",
    "password-set": "Đã đặt mật khẩu mới; các phiên đăng nhập cũ của tài khoản đã bị thu hồi.",
    "agency-created": "Đã tạo đơn vị.",
    "agency-updated": "Đã lưu thông tin đơn vị.",
    "agency-deactivated": "Đã ngừng hoạt động đơn vị.",
    "agency-activated": "Đã cho đơn vị hoạt động trở lại.",
    "key-revoked": "Đã thu hồi khoá; ứng dụng không gửi được phản ánh bằng khoá này nữa.",
}


@dataclass
class Failure:
    """A refusal shown above the form, and each field's own message beside it."""

    status: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)


def failure_of(problem: Problem) -> Failure:
    fields: dict[str, str] = {}
    for error in problem.errors:
        name, _, index = error.field.partition(".")
        message = f"Dòng {int(index) + 1}: {error.message_vi}" if index.isdigit() else error.message_vi
        fields.setdefault(name, message)
    if fields:
        return Failure(problem.status, "Một số trường chưa hợp lệ, xem ghi chú bên dưới.", fields)
    return Failure(problem.status, problem.detail_vi or problem.title_vi)


def shown_on_form(problem: Problem) -> Failure:
    if problem.status not in SHOWN_ON_FORM:
        raise problem
    return failure_of(problem)


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    return text(form, name).strip() or None


def done_message(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))  # a known code only: never echo the address


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
        **await choices(),
        values=values or {"username": "", "role": Role.HANDLER.value, "agency": None, "full_name": "", "email": None},
        failure=failure,
        done=done_message(request),
    )


async def choices() -> dict[str, Any]:
    agencies = await service.list_agencies(include_inactive=True)
    return {
        "roles": ROLE_LABELS,
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
        return await users_form(request, shown_on_form(problem), {**data, "password": ""})
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
        **await choices(),
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
        return await user_form(request, account, shown_on_form(problem), data)
    return redirect(request, f"{USERS}/{account.id}?done=user-updated")


@staff_page(Role.ADMIN)
async def set_password(request: Request, user: StaffUser) -> Response:
    form, account = posted(request), await service.get_user(request.path_params["user_id"])
    password = text(form, "password")
    try:
        if password != text(form, "password_confirm"):
            raise unprocessable([FieldError("password_confirm", "mismatch", "Mật khẩu nhập lại không khớp.", "")])
        await service.update_user(account.id, parse_model(UserUpdate, {"password": password}), now_of(request))
    except Problem as problem:
        return await user_form(request, account, shown_on_form(problem))
    return redirect(request, f"{USERS}/{account.id}?done=password-set")


@staff_page(Role.ADMIN)
async def disable_user(request: Request, user: StaffUser) -> Response:
    account = await service.get_user(request.path_params["user_id"])
    try:
        await service.disable_user(account.id, now_of(request))
    except Problem as problem:  # the last admin stays (409)
        return await user_form(request, account, shown_on_form(problem))
    return redirect(request, f"{USERS}/{account.id}?done=user-disabled")


@staff_page(Role.ADMIN)
async def enable_user(request: Request, user: StaffUser) -> Response:
    account = await service.update_user(request.path_params["user_id"], UserUpdate(is_active=True), now_of(request))
    return redirect(request, f"{USERS}/{account.id}?done=user-enabled")


# Agencies


def agency_code(request: Request) -> str:
    code: str = request.path_params["code"]
    if len(code) > 64:  # longer than any code, as the API: no such agency
        raise not_found()
    return code


def emails_of(form: FormData) -> list[str]:
    """The weekly report's addresses, one a line (commas and semicolons too)."""
    raw = text(form, "emails").replace(",", "\n").replace(";", "\n")
    return [line.strip() for line in raw.splitlines() if line.strip()]


async def agencies_form(
    request: Request,
    editing: str | None = None,
    failure: Failure | None = None,
    values: dict[str, Any] | None = None,
    edit_values: dict[str, Any] | None = None,
) -> Response:
    tz = settings_of(request).tz
    agencies = [agency_view(agency, tz) for agency in await service.list_agencies(include_inactive=True)]
    chosen = await service.get_agency(editing) if editing else None
    edited = agency_view(chosen, tz) if chosen else None
    return render(
        request,
        "admin_agencies.html",
        failure.status if failure else 200,
        agencies=agencies,
        editing=edited,
        values=values or {"code": "", "name": "", "emails": []},
        edit_values=edit_values or (edited.model_dump(mode="json") if edited else {}),
        failure=failure,
        failed_form="edit" if edit_values or (failure and editing) else "create",
        done=done_message(request),
        tz=tz,
    )


@staff_page(Role.ADMIN)
async def agencies_page(request: Request, user: StaffUser) -> Response:
    return await agencies_form(request)


@staff_page(Role.ADMIN)
async def agency_page(request: Request, user: StaffUser) -> Response:
    return await agencies_form(request, editing=agency_code(request))


@staff_page(Role.ADMIN)
async def create_agency(request: Request, user: StaffUser) -> Response:
    form = posted(request)
    data = {"code": text(form, "code").strip(), "name": text(form, "name"), "emails": emails_of(form)}
    try:
        created = await service.create_agency(parse_model(AgencyCreate, data), now_of(request))
    except Problem as problem:
        return await agencies_form(request, failure=shown_on_form(problem), values=data)
    return redirect(request, f"{AGENCIES}/{created.code}?done=agency-created")


@staff_page(Role.ADMIN)
async def update_agency(request: Request, user: StaffUser) -> Response:
    code, form = agency_code(request), posted(request)
    data = {"name": text(form, "name"), "emails": emails_of(form)}
    try:
        await service.update_agency(code, parse_model(AgencyUpdate, data), now_of(request))
    except Problem as problem:
        return await agencies_form(request, code, shown_on_form(problem), edit_values=data)
    return redirect(request, f"{AGENCIES}/{code}?done=agency-updated")


@staff_page(Role.ADMIN)
async def deactivate_agency(request: Request, user: StaffUser) -> Response:
    code = agency_code(request)
    try:
        await service.deactivate_agency(code, now_of(request))
    except Problem as problem:  # open reports: 409, with how many
        return await agencies_form(request, code, shown_on_form(problem))
    return redirect(request, f"{AGENCIES}/{code}?done=agency-deactivated")


@staff_page(Role.ADMIN)
async def activate_agency(request: Request, user: StaffUser) -> Response:
    code = agency_code(request)
    await service.update_agency(code, AgencyUpdate(is_active=True), now_of(request))
    return redirect(request, f"{AGENCIES}/{code}?done=agency-activated")


# Open311 client keys


async def keys_form(
    request: Request, status: int = 200, failure: Failure | None = None, name: str = "", key: str | None = None
) -> Response:
    """The clients; after issuing one, its key, shown this once (never stored but hashed)."""
    return render(
        request,
        "admin_keys.html",
        failure.status if failure else status,
        clients=await list_api_clients(),
        failure=failure,
        name=name,
        key=key,
        done=done_message(request),
        tz=settings_of(request).tz,
    )


@staff_page(Role.ADMIN)
async def keys_page(request: Request, user: StaffUser) -> Response:
    return await keys_form(request)


@staff_page(Role.ADMIN)
async def create_key(request: Request, user: StaffUser) -> Response:
    """Answered with the page itself (201), not a redirect: the key must not
    travel in an address nor be kept anywhere to show it after one."""
    name = text(posted(request), "name")
    try:
        client, key = await create_api_client(name, now_of(request))
    except Problem as problem:
        return await keys_form(request, failure=shown_on_form(problem), name=name)
    return await keys_form(request, 201, name=client.name, key=key)


@staff_page(Role.ADMIN)
async def revoke_key(request: Request, user: StaffUser) -> Response:
    client = await api_client_by_id(request.path_params["client_id"])
    await revoke_api_client(client, now_of(request))
    return redirect(request, f"{KEYS}?done=key-revoked")


routes = [
    Route(USERS, users_page, methods=["GET"]),
    Route(USERS, create_user, methods=["POST"]),
    Route(f"{USERS}/{{user_id:id}}", user_page, methods=["GET"]),
    Route(f"{USERS}/{{user_id:id}}", update_user, methods=["POST"]),
    Route(f"{USERS}/{{user_id:id}}/password", set_password, methods=["POST"]),
    Route(f"{USERS}/{{user_id:id}}/disable", disable_user, methods=["POST"]),
    Route(f"{USERS}/{{user_id:id}}/enable", enable_user, methods=["POST"]),
    Route(AGENCIES, agencies_page, methods=["GET"]),
    Route(AGENCIES, create_agency, methods=["POST"]),
    Route(f"{AGENCIES}/{{code}}", agency_page, methods=["GET"]),
    Route(f"{AGENCIES}/{{code}}", update_agency, methods=["POST"]),
    Route(f"{AGENCIES}/{{code}}/deactivate", deactivate_agency, methods=["POST"]),
    Route(f"{AGENCIES}/{{code}}/activate", activate_agency, methods=["POST"]),
    Route(KEYS, keys_page, methods=["GET"]),
    Route(KEYS, create_key, methods=["POST"]),
    Route(f"{KEYS}/{{client_id:id}}/revoke", revoke_key, methods=["POST"]),
]
