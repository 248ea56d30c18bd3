"""Routes of Open311 GeoReport v2 under /open311/v2, each in .json and .xml.

Errors here speak the standard, not RFC 9457: `[{"code", "description"}]` or
`<errors><error>`, in the format the path asked for (JSON when it named none
we serve). Every route goes through `_open311`, which renders them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Receive, Scope, Send

from pakn.accounts import authenticate_api_client
from pakn.attachments import storage_of
from pakn.core.deps import client_address_of, now_of, server_key_of, settings_of
from pakn.core.errors import unexpected_problem
from pakn.core.i18n import request_language
from pakn.core.problems import Problem
from pakn.core.ratelimit import Door, rate_limit
from pakn.open311 import forms, queries, service, xml
from pakn.open311.errors import not_found
from pakn.open311.schemas import FORMATS, Discovery, Endpoint, Error
from pakn.submission import inspect_all

PREFIX = "/open311/v2"
Handler = Callable[[Request, str], Awaitable[Response]]


def reply(fmt: str, root: str, content: Any, status_code: int = 200, cache: str = "no-store") -> Response:
    """`content` is JSON-ready; lists stay bare arrays in JSON."""
    if fmt == "xml":
        body = xml.render(root, content)
    else:
        body = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    media_type = FORMATS[fmt] + "; charset=utf-8"
    return Response(body, status_code, headers={"Cache-Control": cache}, media_type=media_type)


def error_reply(request: Request, fmt: str, problem: Problem) -> Response:
    english = request_language(request) == "en"
    if problem.errors:
        descriptions = [f"{e.field}: {e.message_en if english else e.message_vi}" for e in problem.errors]
    else:
        descriptions = [(problem.detail_en or problem.title_en) if english else (problem.detail_vi or problem.title_vi)]
    errors = [Error(code=problem.status, description=text).model_dump(mode="json") for text in descriptions]
    response = reply(fmt, "errors", errors, problem.status)
    response.headers.update(problem.headers)
    return response


def _open311(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        fmt = request.path_params.get("fmt", "")
        try:
            if fmt not in FORMATS:
                fmt = "json"
                raise not_found("Chỉ hỗ trợ .json và .xml.", "Only .json and .xml are served.")
            return await handler(request, fmt)
        except Problem as problem:
            return error_reply(request, fmt, problem)
        except Exception as exc:  # still the standard's error format, never a bare 500 page
            return error_reply(request, fmt, unexpected_problem(request, exc))  # 503 when the database is down

    endpoint.__name__ = handler.__name__
    return endpoint


def _jurisdiction(request: Request, given: str | None) -> None:
    ours = settings_of(request).open311.jurisdiction_id
    if given and given != ours:
        raise not_found(f"Không phục vụ jurisdiction_id {given}.", f"Unknown jurisdiction_id {given}.")


def _reader(request: Request) -> service.Reader:
    return service.Reader(settings_of(request).tz, request_language(request), now_of(request))


def _catalogue(request: Request) -> service.Catalogue:
    settings = settings_of(request)
    return service.Catalogue(settings.open311, dict(settings.triage.agencies), request_language(request))


def _read_only(request: Request, *extra: str) -> None:
    """GETs other than requests take only jurisdiction_id (and a stray api_key)."""
    queries.check_query(request, frozenset({"jurisdiction_id", "api_key", *extra}))
    _jurisdiction(request, queries.query_value(request, "jurisdiction_id"))


async def discovery(request: Request, fmt: str) -> Response:
    _read_only(request)
    config = settings_of(request).open311
    url = config.base_url or str(request.url_for("open311_discovery", fmt=fmt)).rsplit("/", 1)[0]
    document = Discovery(
        changeset=config.changeset.astimezone(settings_of(request).tz),
        contact=config.contact,
        key_service=config.key_service,
        endpoints=[Endpoint(url=url, changeset=config.changeset.astimezone(settings_of(request).tz))],
    )
    return reply(fmt, "discovery", document.model_dump(mode="json"), cache="public, max-age=300")


async def services(request: Request, fmt: str) -> Response:
    _read_only(request)
    found = await service.list_services(_catalogue(request))
    return reply(fmt, "services", [item.model_dump(mode="json") for item in found], cache="public, max-age=300")


async def service_definition(request: Request, fmt: str) -> Response:
    _read_only(request)
    definition = await service.service_definition(request.path_params["code"], settings_of(request).open311)
    return reply(fmt, "service_definition", definition.model_dump(mode="json"), cache="public, max-age=300")


async def requests(request: Request, fmt: str) -> Response:
    """GET lists, POST submits: one Route, so that a 405 names both methods."""
    if request.method == "POST":
        return await _post_request(request, fmt)
    query = queries.request_filter(request, settings_of(request).tz, now_of(request))
    _jurisdiction(request, queries.query_value(request, "jurisdiction_id"))
    found = await service.find_requests(query, _reader(request))
    return reply(fmt, "service_requests", [item.document() for item in found], cache="public, max-age=30")


async def _post_request(request: Request, fmt: str) -> Response:
    settings = settings_of(request)
    form = await forms.read_form(request, settings.limits)
    # Before the key and the files are checked: a refused client costs little.
    await rate_limit(request, Door.OPEN311, form.fields.get("device_id"))
    _jurisdiction(request, form.fields.get("jurisdiction_id"))
    client = await authenticate_api_client(form.fields.get("api_key"), now_of(request))
    await service.require_service(form.fields.get("service_code"))
    new = forms.new_request(form, settings.open311)
    try:
        files = await inspect_all((form.media,) if form.media else (), settings.limits)
        created = await service.create_request(
            new,
            client,
            files,
            client_address=client_address_of(request),
            storage=storage_of(request),
            server_key=server_key_of(request),
            now=now_of(request),
        )
    except Problem as problem:
        raise forms.as_open311(problem) from None
    # 200 rather than 201: what the reference servers answer and clients expect.
    return reply(fmt, "service_requests", [created.model_dump(mode="json")])


async def one_request(request: Request, fmt: str) -> Response:
    _read_only(request, "extensions")
    extensions = queries.flag(queries.query_value(request, "extensions"), "extensions")
    found = await service.find_request(request.path_params["id"], _reader(request), extensions)
    return reply(fmt, "service_requests", [found.document()], cache="public, max-age=30")


async def token(request: Request, fmt: str) -> Response:
    """Requests are created at once and answered with their id, so no token is
    ever issued; every token is unknown."""
    _read_only(request)
    raise not_found(
        "Không có token này: phản ánh được tạo ngay và trả về service_request_id.",
        "No such token: requests are created at once and answered with their service_request_id.",
    )


async def fallback(request: Request, fmt: str) -> Response:
    """404 for a path we do not serve; 405 (with Allow) for a method a path does not take."""
    allowed = sorted({method for route in ROUTES[:-1] for method in _partial_methods(route, request)})
    if allowed:
        problem = Problem(405, "method-not-allowed", "Phương thức không được hỗ trợ", "Method not allowed")
        problem.headers["Allow"] = ", ".join(allowed)
        raise problem
    raise not_found("Không có tài nguyên này.", "No such resource.")


def _partial_methods(route: BaseRoute, request: Request) -> set[str]:
    match, _ = route.matches(request.scope)
    return set(getattr(route, "methods", None) or ()) if match is Match.PARTIAL else set()


class _Fallback:
    """An ASGI app rather than a function, so that its Route takes every method
    (a function endpoint defaults to GET) and 404 and 405 speak Open311 too."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        last = request.url.path.rsplit(".", 1)
        fmt = last[1] if len(last) == 2 and last[1] in FORMATS else "json"
        try:
            response = await fallback(request, fmt)
        except Problem as problem:
            response = error_reply(request, fmt, problem)
        await response(scope, receive, send)


ROUTES: list[BaseRoute] = [
    Route("/discovery.{fmt}", _open311(discovery), methods=["GET"], name="open311_discovery"),
    Route("/services.{fmt}", _open311(services), methods=["GET"], name="open311_services"),
    Route("/services/{code}.{fmt}", _open311(service_definition), methods=["GET"], name="open311_service"),
    Route("/requests.{fmt}", _open311(requests), methods=["GET", "POST"], name="open311_requests"),
    Route("/requests/{id}.{fmt}", _open311(one_request), methods=["GET"], name="open311_request"),
    Route("/tokens/{token}.{fmt}", _open311(token), methods=["GET"], name="open311_token"),
    Route("/{rest:path}", _Fallback()),
]

mount = Mount(PREFIX, routes=ROUTES)
