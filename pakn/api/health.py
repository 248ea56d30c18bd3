"""/healthz answers while the process runs; /readyz while the database answers too."""

from __future__ import annotations

import asyncio
import logging

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from tortoise import connections

from pakn.core.errors import database_retry_after, problem_response
from pakn.core.openapi import document
from pakn.core.problems import service_unavailable

READY_TIMEOUT_SECONDS = 2.0
log = logging.getLogger("pakn.health")


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str


@document(summary="Tiến trình đang chạy (Liveness)", responses={200: Health}, database=False)
async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


@document(summary="Sẵn sàng phục vụ (Readiness: the database answers)", responses={200: Readiness, 503: None})
async def readyz(request: Request) -> Response:
    probe = asyncio.create_task(connections.get("default").execute_query("SELECT 1"))
    # asyncio.wait, not wait_for: wait_for waits for the cancelled probe to
    # finish, and returning its connection to a frozen server takes as long as
    # the freeze (30 s seen). The probe ends on its own, within the pool's timeouts.
    done, _ = await asyncio.wait({probe}, timeout=READY_TIMEOUT_SECONDS)
    if not done:
        probe.cancel()
        probe.add_done_callback(_forget)
        return _not_ready(request, f"no answer within {READY_TIMEOUT_SECONDS} s")
    if probe.exception() is not None:  # any failure means "not ready", never a 500
        return _not_ready(request, str(probe.exception()))
    return JSONResponse({"status": "ready", "database": "ok"})


def _not_ready(request: Request, reason: str) -> Response:
    log.warning("database not reachable: %s", reason)
    retry_after = database_retry_after(request)
    problem = service_unavailable("Không kết nối được cơ sở dữ liệu.", "The database is not reachable.", retry_after)
    return problem_response(request, problem)


def _forget(task: asyncio.Task[object]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as never retrieved


routes = [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]
