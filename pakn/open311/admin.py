"""Admin API of Open311 client keys, the web twin of `pakn apikey`: admins only,
the key in the creation reply once, revocation at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import (
    api_client_by_id,
    create_api_client,
    current_staff,
    list_api_clients,
    require_role,
    revoke_api_client,
)
from pakn.core.deps import now_of, settings_of
from pakn.core.http import json_response, read_json
from pakn.core.openapi import document
from pakn.core.query import QueryModel, read_query
from pakn.core.routing import ROW_ID_SCHEMA
from pakn.open311.schemas import ApiClientCreate, ApiClientCreated, ApiClientList, ApiClientOut

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import ApiClient

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


@document(
    summary="Ứng dụng Open311 (Open311 client apps)", responses={200: ApiClientList, 422: None}, bearer=True, tags=TAGS
)
async def list_clients(request: Request) -> Response:
    require_role(await current_staff(request))
    read_query(request, QueryModel)  # takes no parameter: any is refused, as on every list
    clients = await list_api_clients()
    return json_response(ApiClientList(items=[client_view(client, request) for client in clients]), headers=NO_STORE)


@document(
    summary="Cấp api_key cho ứng dụng Open311 (Issue a key; shown once)",
    request=ApiClientCreate,
    responses={201: ApiClientCreated, 409: None},
    links={
        "revoke": {
            "operationId": "post_api_v1_admin_api-clients_client_id_revoke",
            "parameters": {"path.client_id": "$response.body#/id"},
            "description": "Thu hồi khoá vừa cấp / revoke the key just issued",
        },
    },
    bearer=True,
    tags=TAGS,
)
async def create_client(request: Request) -> Response:
    require_role(await current_staff(request))
    data = await read_json(request, ApiClientCreate)
    client, key = await create_api_client(data.name, now_of(request))
    created = ApiClientCreated(**client_view(client, request).model_dump(), api_key=key)
    return json_response(created, 201, NO_STORE)


@document(
    summary="Thu hồi api_key (Revoke a client's key)",
    responses={200: ApiClientOut},
    bearer=True,
    tags=TAGS,
    parameters={"client_id": ROW_ID_SCHEMA},
)
async def revoke_client(request: Request) -> Response:
    require_role(await current_staff(request))
    client = await api_client_by_id(request.path_params["client_id"])
    return json_response(client_view(await revoke_api_client(client, now_of(request)), request), headers=NO_STORE)


routes = [
    Route(PATH, list_clients, methods=["GET"]),
    Route(PATH, create_client, methods=["POST"]),
    Route(f"{PATH}/{{client_id:id}}/revoke", revoke_client, methods=["POST"]),
]
