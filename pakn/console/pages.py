"""Rendering a console page: one Jinja2 environment per language, the security
headers every page carries, and a service's refusal (a Problem) shown as a page
of its own.

The Content-Security-Policy allows nothing inline and nothing from elsewhere
(scripts and styles are this service's own files under /static; the service
worker is /sw.js), except map tiles from the configured tile server: citizens'
text can never become code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache, wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from pakn.console.language import LANGUAGES, Language, language_of
from pakn.core.deps import settings_of
from pakn.core.i18n import DEFAULT_LANGUAGE
from pakn.core.problems import Problem
from pakn.domain.tracking import CODE_SHAPE
from pakn.text import formatting as fmt

Page = Callable[[Request], Awaitable[Response]]


@cache
def environment(code: str = DEFAULT_LANGUAGE) -> Environment:
    """One environment per language, each with its own gettext: a page never
    reads another request's language (both are built once, then only read)."""
    lang = LANGUAGES[code]
    env = Environment(
        loader=PackageLoader("pakn.console", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(lang.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(count=lang.count, percent=lang.percent, day=fmt.day, moment=lang.moment, named=named(lang))
    env.globals.update(code_shape=CODE_SHAPE, lang=lang.code, pick=lang.pick)
    return env


def named(lang: Language) -> Callable[[Any], str]:
    """A category's name in this language, from the reference data."""

    def name(item: Any) -> str:
        return str(item.name_en if lang.english and item.name_en else item.name_vi)

    return name


def here(request: Request) -> str:
    """The page to come back to after switching language: this one; after a
    form, the page that sent it (this site's, else the start page)."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    sender = urlsplit(request.headers.get("referer", ""))
    if (sender.scheme, sender.netloc) == (request.url.scheme, request.url.netloc) and sender.path:
        return sender.path + (f"?{sender.query}" if sender.query else "")
    return "/console" if request.url.path.startswith("/console") else "/"


def switch_url(request: Request, lang: Language) -> str:
    other = DEFAULT_LANGUAGE if lang.english else "en"
    return f"/lang?{urlencode({'to': other, 'next': here(request)})}"


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
            "worker-src 'self'",  # the public pages' service worker (/sw.js), nothing else
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
    """The page in the reader's language, with the security headers; `request`,
    the signed-in user (if any, from the session) and the link to the other
    language are in every template's context."""
    lang = language_of(request)
    context.setdefault("user", getattr(request.state, "console_user", None))
    context.setdefault("csrf", getattr(request.state, "console_csrf", ""))
    context.setdefault("switch", switch_url(request, lang))
    html = environment(lang.code).get_template(template).render(request=request, **context)
    headers = {**security_headers(request), "Content-Language": lang.code, "Vary": "Cookie, Accept-Language"}
    return HTMLResponse(html, status, headers=headers)


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
    """A console route: a service's refusal becomes a page in the reader's
    language with the same status the API gives, never problem+json."""

    @wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except Problem as problem:
            return problem_page(request, problem)

    return wrapped
