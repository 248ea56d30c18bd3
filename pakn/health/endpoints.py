"""/healthz answers while the process runs; /readyz while the database answers too."""

from __future__ import annotations

import asyncio
import logging

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise import connections

from pakn.core.errors import problem_response
from pakn.core.openapi import document
from pakn.core.problems import service_unavailable

READY_TIMEOUT_SECONDS = 2.0
log = logging.getLogger("pakn.health")


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str


@document(summary="Tiến trình đang chạy (Liveness)", responses={200: Health})
async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


@document(summary="Sẵn sàng phục vụ (Readiness: the database answers)", responses={200: Readiness, 503: None})
async def readyz(request: Request) -> Response:
    try:
        await asyncio.wait_for(connections.get("default").execute_query("SELECT 1"), READY_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means "not ready", never a 500
        log.warning("database not reachable: %s", exc)
        return problem_response(
            request,
            service_unavailable("Không kết nối được cơ sở dữ liệu.", "The database is not reachable."),
        )
    return JSONResponse({"status": "ready", "database": "ok"})


routes = [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]
