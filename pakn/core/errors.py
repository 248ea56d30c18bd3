"""Every error leaves as application/problem+json, in the client's language."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Scope
from tortoise.exceptions import BaseORMException

from pakn.core.i18n import request_language
from pakn.core.outage import database_unavailable
from pakn.core.problems import (
    Problem,
    internal_error,
    method_not_allowed,
    not_found,
    payload_too_large,
)
from pakn.core.problems import database_unavailable as database_unavailable_problem

PROBLEM_JSON = "application/problem+json"
DEFAULT_RETRY_AFTER = 5  # seconds, for an app built without settings
log = logging.getLogger("pakn.errors")


def problem_response(request: Request, problem: Problem) -> Response:
    headers = {"Content-Language": request_language(request), **problem.headers}
    return JSONResponse(
        problem.body(request_language(request)),
        status_code=problem.status,
        headers=headers,
        media_type=PROBLEM_JSON,
    )


async def handle_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(request, exc)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return problem_response(request, not_found())
    if exc.status_code == 405:
        problem = method_not_allowed()
        problem.headers["Allow"] = ", ".join(allowed_methods(request.app.router.routes, request.scope))
        return problem_response(request, problem)
    if exc.status_code == 413:
        return problem_response(request, payload_too_large(0))
    title = str(exc.detail)
    return problem_response(request, Problem(exc.status_code, "http-error", title, title))


def allowed_methods(routes: Iterable[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route serves at this path. Starlette's own 405 names
    only the first matching route's, and one path is often served by two
    routes (the queue's GET and the off-line entry's POST)."""
    methods: set[str] = set()
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(route, Mount):
            methods.update(allowed_methods(route.routes, {**scope, **child}))
        elif isinstance(route, Route) and route.methods:
            methods.update(route.methods)
    return sorted(methods)


def database_retry_after(request: Request) -> int:
    """Seconds a client waits before retrying while the database is unavailable."""
    settings = getattr(request.app.state, "settings", None)
    return int(getattr(settings, "db_retry_after_seconds", DEFAULT_RETRY_AFTER))


def unexpected_problem(request: Request, exc: BaseException) -> Problem:
    """What an error no route turned into a Problem becomes: 503 with Retry-After
    while the database is down, frozen or busy (one warning line, no traceback),
    else a logged 500."""
    if database_unavailable(exc):
        log.warning("database unavailable", extra={"fields": {"error": f"{type(exc).__name__}: {exc}"}})
        return database_unavailable_problem(database_retry_after(request))
    log.exception("unhandled error", exc_info=exc)
    return internal_error()


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    return problem_response(request, unexpected_problem(request, exc))


EXCEPTION_HANDLERS = {
    Problem: handle_problem,
    HTTPException: handle_http_exception,
    # The families a database fault arrives in, answered here rather than by
    # Starlette's server-error layer, which would re-raise them into the log.
    OSError: handle_unexpected,
    asyncpg.PostgresError: handle_unexpected,
    asyncpg.InterfaceError: handle_unexpected,
    BaseORMException: handle_unexpected,
    sqlite3.Error: handle_unexpected,
    Exception: handle_unexpected,
}
