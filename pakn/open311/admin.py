"""Admin API of Open311 client keys, the web twin of `pakn apikey`: admins only,
the key in the creation reply once, revocation at once."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts.auth import current_staff, require_role
from pakn.accounts.endpoints import read_json
from pakn.core.deps import now_of, settings_of
from pakn.core.http import json_response
from pakn.core.openapi import document
from pakn.core.problems import method_not_allowed, not_found
from pakn.models import ApiClient
from pakn.open311 import apikeys
from pakn.open311.schemas import ApiClientCreate, ApiClientCreated, ApiClientList, ApiClientOut

ID_MAX = 2**63 - 1
NO_STORE = {"Cache-Control": "no-store"}
TAGS = ["admin"]
PATH = "/api/v1/admin/api-clients"


def client_view(client: ApiClient, request: Request) -> ApiClientOut:
    tz = settings_of(request).tz
    return ApiClientOut(
        id=client.id,
        name=client.name,
        created_at=client.created_at.astimezone(tz),
        last_used_at=client.last_used_at.astimezone(tz) if client.last_used_at else None,
        revoked_at=client.revoked_at.astimezone(tz) if client.revoked_at else None,
    )


@document(summary="Ứng dụng Open311 (Open311 client apps)", responses={200: ApiClientList}, bearer=True, tags=TAGS)
async def list_clients(request: Request) -> Response:
    require_role(await current_staff(request))
    clients = await apikeys.list_clients()
    return json_response(ApiClientList(items=[client_view(client, request) for client in clients]), headers=NO_STORE)


@document(
    summary="Cấp api_key cho ứng dụng Open311 (Issue a key; shown once)",
    request=ApiClientCreate,
    responses={201: ApiClientCreated},
    bearer=True,
    tags=TAGS,
)
async def create_client(request: Request) -> Response:
    require_role(await current_staff(request))
    data = await read_json(request, ApiClientCreate)
    client, key = await apikeys.create_client(data.name, now_of(request))
    created = ApiClientCreated(**client_view(client, request).model_dump(), api_key=key)
    return json_response(created, 201, NO_STORE)


@document(
    summary="Thu hồi api_key (Revoke a client's key)",
    responses={200: ApiClientOut},
    bearer=True,
    tags=TAGS,
    parameters={"client_id": {"type": "integer", "minimum": 1, "maximum": ID_MAX}},
)
async def revoke_client(request: Request) -> Response:
    require_role(await current_staff(request))
    raw = request.path_params["client_id"]
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19 and 1 <= int(raw) <= ID_MAX):
        raise not_found()
    client = await ApiClient.get_or_none(id=int(raw))
    if client is None:
        raise not_found()
    return json_response(client_view(await apikeys.revoke(client, now_of(request)), request), headers=NO_STORE)


async def other_method(request: Request) -> Response:
    """GET and POST are two Routes of one path: Starlette would answer any other
    method from the first alone (Allow: GET, HEAD), so this one names both."""
    problem = method_not_allowed()
    problem.headers["Allow"] = "GET, HEAD, POST"
    raise problem


routes = [
    Route(PATH, list_clients, methods=["GET"]),
    Route(PATH, create_client, methods=["POST"]),
    Route(PATH, other_method, methods=["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]),
    Route(f"{PATH}/{{client_id}}/revoke", revoke_client, methods=["POST"]),
]
