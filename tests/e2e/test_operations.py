"""Health, readiness, request ids and the OpenAPI document."""

from __future__ import annotations

import re

import httpx
from starlette.routing import Route


async def test_health_and_readiness_answer(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


async def test_every_reply_carries_a_request_id(client: httpx.AsyncClient) -> None:
    generated = await client.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32
    kept = await client.get("/healthz", headers={"X-Request-ID": "app-42.retry-1"})
    assert kept.headers["x-request-id"] == "app-42.retry-1"
    replaced = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert replaced.headers["x-request-id"] != "bad id with spaces"


async def test_openapi_describes_every_api_route(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    from pakn.app import api_routes

    for route in api_routes():
        assert isinstance(route, Route)
        path = re.sub(r":\w+}", "}", route.path)
        assert path in spec["paths"], path
    create = spec["paths"]["/api/v1/feedback"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert "201" in create["responses"]
    assert "FeedbackCreate" in spec["components"]["schemas"]
