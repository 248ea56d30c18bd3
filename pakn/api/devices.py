"""Routes of registered devices (issue 14): register, read, update and
unregister the calling device, and list its reports. Parse, call one
service, serialise."""

from __future__ import annotations

from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import (
    PUSH_TOKEN_TAGS,
    DeviceCreate,
    DeviceOut,
    DeviceRegistered,
    DeviceUpdate,
    current_device,
    device_view,
    register_device,
    unregister_device,
    update_device,
)
from pakn.api.submission import view_context
from pakn.core.deps import now_of, settings_of
from pakn.core.http import json_response, read_json
from pakn.core.openapi import document
from pakn.core.pagination import parse_limit
from pakn.core.problems import Problem
from pakn.core.query import PageQuery, read_query
from pakn.core.ratelimit import Door, rate_limit
from pakn.submission import MyReportPage, my_reports

Body = TypeVar("Body", DeviceCreate, DeviceUpdate)

DEVICES_PATH = "/api/v1/devices"
ME_PATH = DEVICES_PATH + "/me"
NO_STORE = {"Cache-Control": "no-store"}
TAGS = ["devices"]
AS_DEVICE = "Device {$response.body#/device_secret}"


def untagged(field: str) -> str:
    """A field's name as the body has it: `push_token.endpoint`, without the
    union's tag in between (`push_token.subscription.endpoint`)."""
    parts = field.split(".")
    if parts[0] == "push_token" and len(parts) > 1 and parts[1] in PUSH_TOKEN_TAGS:
        return ".".join([parts[0], *parts[2:]])
    return field


async def read_device_json(request: Request, schema: type[Body]) -> Body:
    """The body as `schema`, refusals named by where they are in the body."""
    try:
        return await read_json(request, schema)
    except Problem as problem:
        for error in problem.errors:
            error.field = untagged(error.field)
        raise


@document(
    summary="Đăng ký thiết bị (Register the app or browser: its secret, shown once)",
    request=DeviceCreate,
    responses={201: DeviceRegistered, 429: None},
    reply_headers=["Location"],
    tags=TAGS,
    example={"platform": "android", "push_token": "fcm-registration-token-from-the-app", "locale": "vi"},
    links={
        name: {"operationId": operation, "parameters": {"header.Authorization": AS_DEVICE}, "description": text}
        for name, operation, text in (
            ("read", "get_api_v1_devices_me", "Thiết bị này / this device"),
            ("update", "put_api_v1_devices_me", "Đổi push_token, locale / change them"),
            ("reports", "get_api_v1_devices_me_feedback", "Phản ánh của thiết bị / its reports"),
        )
    },
)
async def register(request: Request) -> Response:
    await rate_limit(request, Door.DEVICES)  # no device yet: per address and overall
    data = await read_device_json(request, DeviceCreate)
    registered = await register_device(data, now_of(request))
    headers = {"Location": f"{request.scope.get('root_path', '')}{ME_PATH}", **NO_STORE}
    return json_response(registered, 201, headers)


@document(
    summary="Thiết bị đang gọi (This device; never its secret)",
    responses={200: DeviceOut, 429: None},
    auth="device",
    tags=TAGS,
)
async def show(request: Request) -> Response:
    device = await current_device(request, now_of(request))
    return json_response(device_view(device), headers=NO_STORE)


@document(
    summary="Cập nhật thiết bị (Change the push token or the language; null forgets the token)",
    request=DeviceUpdate,
    responses={200: DeviceOut, 429: None},
    auth="device",
    tags=TAGS,
)
async def change(request: Request) -> Response:
    device = await current_device(request, now_of(request))
    data = await read_device_json(request, DeviceUpdate)
    return json_response(await update_device(device, data), headers=NO_STORE)


@document(
    summary="Hủy đăng ký thiết bị (Unregister: the secret stops working, nothing more is pushed)",
    responses={204: None, 429: None},
    auth="device",
    tags=TAGS,
)
async def unregister(request: Request) -> Response:
    now = now_of(request)
    await unregister_device(await current_device(request, now), now)
    return Response(status_code=204)


@document(
    summary="Phản ánh của thiết bị (This device's reports, newest first, with an unread marker)",
    responses={200: MyReportPage, 429: None},
    query=["cursor", "limit"],
    auth="device",
    tags=TAGS,
)
async def reports(request: Request) -> Response:
    device = await current_device(request, now_of(request))
    query = read_query(request, PageQuery)
    limits = settings_of(request).limits
    limit = parse_limit(query.limit, limits.page_size_default, limits.page_size_max)
    page = await my_reports(device.id, query.cursor, limit, await view_context(request))
    return json_response(page, headers={"Cache-Control": "private, no-store"})


routes = [
    Route(DEVICES_PATH, register, methods=["POST"]),
    Route(ME_PATH, show, methods=["GET"]),
    Route(ME_PATH, change, methods=["PUT"]),
    Route(ME_PATH, unregister, methods=["DELETE"]),
    Route(ME_PATH + "/feedback", reports, methods=["GET"]),
]
