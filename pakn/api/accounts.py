"""Routes of sign-in and the admin API: authorise, parse, call one service, serialise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import (
    AGENCY_CODE_PATTERN,
    AgencyCreate,
    AgencyList,
    AgencyOut,
    AgencyUpdate,
    MeOut,
    SignIn,
    TokenOut,
    UserCreate,
    UserOut,
    UserPage,
    UserUpdate,
    agency_view,
    current_staff,
    me_view,
    require_role,
    service,
    user_view,
)
from pakn.core.deps import client_address_of, now_of, settings_of
from pakn.core.http import json_response, read_json
from pakn.core.openapi import document
from pakn.core.pagination import ID, Cursor, parse_limit
from pakn.core.problems import method_not_allowed, not_found
from pakn.core.query import FLAG_PARAMETER, Flag, PageQuery, QueryModel, read_query
from pakn.core.routing import ROW_ID_SCHEMA
from pakn.domain.roles import Role

Endpoint = Callable[[Request], Awaitable[Response]]
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")

USER_CURSOR = Cursor(ID)  # the last account shown
NO_STORE = {"Cache-Control": "no-store"}
USER_ID = {"user_id": ROW_ID_SCHEMA}
AGENCY = {"code": {"type": "string", "pattern": AGENCY_CODE_PATTERN}}
INCLUDE_INACTIVE = {"include_inactive": FLAG_PARAMETER}
AUTH, ADMIN = ["auth"], ["admin"]  # OpenAPI tags


# Sign-in


@document(
    summary="Đăng nhập (Sign in: a bearer token for a staff account)",
    request=SignIn,
    responses={200: TokenOut, 401: None, 429: None},
    tags=AUTH,
)
async def sign_in(request: Request) -> Response:
    credentials = await read_json(request, SignIn)
    settings = settings_of(request)
    # The address as the rate limits see it: X-Forwarded-For only from PAKN_TRUSTED_PROXIES.
    address = client_address_of(request)
    issued = await service.sign_in(credentials, address, now_of(request), settings.auth)
    body = TokenOut(access_token=issued.access_token, expires_in=issued.expires_in)
    return json_response(body, headers=NO_STORE)


@document(summary="Đăng xuất (Revoke this token)", responses={204: None}, auth="staff", tags=AUTH)
async def sign_out(request: Request) -> Response:
    await current_staff(request)
    await service.sign_out(request.state.staff_token, now_of(request))
    return Response(status_code=204)


@document(summary="Tài khoản đang đăng nhập (Who am I)", responses={200: MeOut}, auth="staff", tags=AUTH)
async def me(request: Request) -> Response:
    user = await current_staff(request)
    return json_response(me_view(user), headers=NO_STORE)


# Users (admins only)


@document(
    summary="Danh sách tài khoản (Staff accounts)",
    responses={200: UserPage},
    query=["cursor", "limit"],
    bearer=True,
    tags=ADMIN,
)
async def list_users(request: Request) -> Response:
    require_role(await current_staff(request))
    limits = settings_of(request).limits
    query = read_query(request, PageQuery)
    after = USER_CURSOR.decode(query.cursor)
    limit = parse_limit(query.limit, limits.page_size_default, limits.page_size_max)
    users, last_id = await service.list_users(after[0] if after else None, limit)
    tz = settings_of(request).tz
    page = UserPage(
        items=[user_view(user, tz) for user in users],
        next_cursor=USER_CURSOR.encode(last_id) if last_id is not None else None,
    )
    return json_response(page)


@document(
    summary="Tạo tài khoản (Create a staff account)",
    request=UserCreate,
    responses={201: UserOut, 409: None},
    reply_headers=["Location"],
    links={
        "read": {
            "operationId": "get_api_v1_admin_users_user_id",
            "parameters": {"path.user_id": "$response.body#/id"},
            "description": "Tài khoản vừa tạo / the account just created",
        },
    },
    bearer=True,
    tags=ADMIN,
)
async def create_user(request: Request) -> Response:
    require_role(await current_staff(request))
    user = await service.create_user(await read_json(request, UserCreate), now_of(request))
    headers = {"Location": str(request.url_for("user", user_id=str(user.id)))}
    return json_response(user_view(user, settings_of(request).tz), 201, headers)


@document(
    summary="Một tài khoản (A staff account)",
    responses={200: UserOut},
    bearer=True,
    parameters=USER_ID,
    tags=ADMIN,
)
async def get_user(request: Request) -> Response:
    require_role(await current_staff(request))
    user = await service.get_user(request.path_params["user_id"])
    return json_response(user_view(user, settings_of(request).tz))


@document(
    summary="Sửa tài khoản (Update a staff account; disabling revokes its tokens)",
    request=UserUpdate,
    responses={200: UserOut, 409: None},
    bearer=True,
    parameters=USER_ID,
    tags=ADMIN,
)
async def update_user(request: Request) -> Response:
    require_role(await current_staff(request))
    user_id = request.path_params["user_id"]
    user = await service.update_user(user_id, await read_json(request, UserUpdate), now_of(request))
    return json_response(user_view(user, settings_of(request).tz))


@document(
    summary="Khoá tài khoản (Disable a staff account and revoke its tokens)",
    responses={200: UserOut, 409: None},
    bearer=True,
    parameters=USER_ID,
    tags=ADMIN,
)
async def disable_user(request: Request) -> Response:
    require_role(await current_staff(request))
    user = await service.disable_user(request.path_params["user_id"], now_of(request))
    return json_response(user_view(user, settings_of(request).tz))


# Agencies (coordinators read them to assign reports; admins write)


@document(
    summary="Danh sách đơn vị xử lý (Agencies)",
    responses={200: AgencyList},
    query=["include_inactive"],
    parameters=INCLUDE_INACTIVE,
    bearer=True,
    tags=ADMIN,
)
async def list_agencies(request: Request) -> Response:
    require_role(await current_staff(request), Role.COORDINATOR)
    agencies = await service.list_agencies(read_query(request, AgencyListQuery).include_inactive)
    tz = settings_of(request).tz
    return json_response(AgencyList(items=[agency_view(agency, tz) for agency in agencies]))


@document(
    summary="Tạo đơn vị xử lý (Create an agency)",
    request=AgencyCreate,
    responses={201: AgencyOut, 409: None},
    reply_headers=["Location"],
    links={
        name: {"operationId": operation, "parameters": {"path.code": "$response.body#/code"}, "description": text}
        for name, operation, text in (
            ("read", "get_api_v1_admin_agencies_code", "Đơn vị vừa tạo / the agency just created"),
            ("update", "patch_api_v1_admin_agencies_code", "Sửa đơn vị vừa tạo / update it"),
            ("deactivate", "post_api_v1_admin_agencies_code_deactivate", "Ngừng hoạt động / deactivate it"),
        )
    },
    bearer=True,
    tags=ADMIN,
)
async def create_agency(request: Request) -> Response:
    require_role(await current_staff(request))
    agency = await service.create_agency(await read_json(request, AgencyCreate), now_of(request))
    headers = {"Location": str(request.url_for("agency", code=agency.code))}
    return json_response(agency_view(agency, settings_of(request).tz), 201, headers)


@document(
    summary="Một đơn vị xử lý (An agency)",
    responses={200: AgencyOut},
    bearer=True,
    parameters=AGENCY,
    tags=ADMIN,
)
async def get_agency(request: Request) -> Response:
    require_role(await current_staff(request), Role.COORDINATOR)
    agency = await service.get_agency(_agency_code(request.path_params["code"]))
    return json_response(agency_view(agency, settings_of(request).tz))


@document(
    summary="Sửa đơn vị xử lý (Update an agency)",
    request=AgencyUpdate,
    responses={200: AgencyOut},
    bearer=True,
    parameters=AGENCY,
    tags=ADMIN,
)
async def update_agency(request: Request) -> Response:
    require_role(await current_staff(request))
    code = _agency_code(request.path_params["code"])
    agency = await service.update_agency(code, await read_json(request, AgencyUpdate), now_of(request))
    return json_response(agency_view(agency, settings_of(request).tz))


@document(
    summary="Ngừng hoạt động đơn vị (Deactivate an agency; 409 while it holds open reports)",
    responses={200: AgencyOut, 409: None},
    bearer=True,
    parameters=AGENCY,
    tags=ADMIN,
)
async def deactivate_agency(request: Request) -> Response:
    require_role(await current_staff(request))
    agency = await service.deactivate_agency(_agency_code(request.path_params["code"]), now_of(request))
    return json_response(agency_view(agency, settings_of(request).tz))


# Parameters


def _agency_code(raw: str) -> str:
    # Longer than any code: no such agency (and the column would refuse it with a 500).
    if len(raw) > 64:
        raise not_found()
    return raw


class AgencyListQuery(QueryModel):
    include_inactive: Flag = False


def one_path(path: str, name: str, **by_method: Endpoint) -> list[Route]:
    """A path whose methods have one endpoint each. Starlette answers any other
    method from the first matching route alone (Allow: GET, HEAD), so a last
    route answers 405 naming them all."""
    routes = [Route(path, endpoint, methods=[method], name=name) for method, endpoint in by_method.items()]
    allowed = sorted({method for route in routes for method in route.methods or ()})

    async def other_method(request: Request) -> Response:
        problem = method_not_allowed()
        problem.headers["Allow"] = ", ".join(allowed)
        raise problem

    others = [method for method in HTTP_METHODS if method not in allowed]
    return [*routes, Route(path, other_method, methods=others, name=f"{name}_other_methods")]


routes = [
    Route("/api/v1/auth/token", sign_in, methods=["POST"]),
    Route("/api/v1/auth/logout", sign_out, methods=["POST"]),
    Route("/api/v1/auth/me", me, methods=["GET"]),
    *one_path("/api/v1/admin/users", "users", GET=list_users, POST=create_user),
    *one_path("/api/v1/admin/users/{user_id:id}", "user", GET=get_user, PATCH=update_user),
    Route("/api/v1/admin/users/{user_id:id}/disable", disable_user, methods=["POST"]),
    *one_path("/api/v1/admin/agencies", "agencies", GET=list_agencies, POST=create_agency),
    *one_path("/api/v1/admin/agencies/{code}", "agency", GET=get_agency, PATCH=update_agency),
    Route("/api/v1/admin/agencies/{code}/deactivate", deactivate_agency, methods=["POST"]),
]
