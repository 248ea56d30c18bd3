"""Rendering a console page: one Jinja2 environment, the security headers every
page carries, and a service's refusal (a Problem) shown as a page of its own.

The Content-Security-Policy allows nothing inline and nothing from elsewhere
(scripts and styles are this service's own files under /static), except map
tiles from the configured tile server: citizens' text can never become code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache, wraps
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from pakn.core.deps import settings_of
from pakn.core.problems import Problem
from pakn.domain.tracking import CODE_SHAPE
from pakn.mail import moment
from pakn.text import formatting as fmt

Page = Callable[[Request], Awaitable[Response]]


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("pakn.console", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(count=fmt.count, percent=fmt.percent, day=fmt.day, moment=moment)
    env.globals.update(code_shape=CODE_SHAPE)
    return env


def security_headers(request: Request) -> dict[str, str]:
    tiles = urlsplit(settings_of(request).console.tile_url)
    tile_origin = f"{tiles.scheme}://{tiles.netloc}" if tiles.scheme and tiles.netloc else ""
    policy = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {tile_origin}".rstrip(),
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(self)",
        "Cache-Control": "no-store",
    }


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page, with the security headers; `request` and the signed-in user (if
    any, from the session) are in every template's context."""
    context.setdefault("user", getattr(request.state, "console_user", None))
    context.setdefault("csrf", getattr(request.state, "console_csrf", ""))
    html = environment().get_template(template).render(request=request, **context)
    return HTMLResponse(html, status, headers=security_headers(request))


def redirect(request: Request, url: str) -> RedirectResponse:
    """After a form: 303, so that reloading the next page never re-posts."""
    return RedirectResponse(url, 303, headers=security_headers(request))


def problem_page(request: Request, problem: Problem) -> HTMLResponse:
    response = render(request, "error.html", problem.status, problem=problem)
    for name, value in problem.headers.items():
        if name.lower() in ("retry-after", "etag"):
            response.headers[name] = value
    return response


def page(handler: Page) -> Page:
    """A console route: a service's refusal becomes a page in Vietnamese with
    the same status the API gives, never problem+json."""

    @wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except Problem as problem:
            return problem_page(request, problem)

    return wrapped
