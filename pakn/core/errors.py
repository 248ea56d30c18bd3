"""Every error leaves as application/problem+json, in the client's language."""

from __future__ import annotations

import logging

from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Scope

from pakn.core.i18n import request_language
from pakn.core.problems import Problem, internal_error, method_not_allowed, not_found, payload_too_large

PROBLEM_JSON = "application/problem+json"
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


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    return problem_response(request, internal_error())


EXCEPTION_HANDLERS = {
    Problem: handle_problem,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
