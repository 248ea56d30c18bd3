"""The language switch in every page's header: GET /lang?to=en&next=/console
remembers the choice in the `lang` cookie and goes back to the page, which
must be a path of this site (anything else goes to the start page: the link
can never send a reader elsewhere)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.console.language import COOKIE, LANGUAGES
from pakn.console.pages import page, redirect
from pakn.core.problems import bad_request

SWITCH_PATH = "/lang"
ONE_YEAR = 365 * 86_400


def local_path(raw: str | None) -> str:
    """A path of this site, or "/": no scheme, no host, nothing a browser would
    read as another site ("//host", "/\\host", a tab or newline inside)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    if any(char.isspace() or not char.isprintable() for char in raw):
        return "/"
    parts = urlsplit(raw)
    return raw if not parts.scheme and not parts.netloc else "/"


@page
async def switch_language(request: Request) -> Response:
    code = request.query_params.get("to", "")
    if code not in LANGUAGES:
        raise bad_request(
            "Ngôn ngữ không được hỗ trợ: chọn vi hoặc en.",
            "Unsupported language: choose vi or en.",
            slug="unsupported-language",
        )
    response = redirect(request, local_path(request.query_params.get("next")))
    https = request.url.scheme == "https"
    response.set_cookie(COOKIE, code, max_age=ONE_YEAR, httponly=True, secure=https, samesite="lax")
    return response


routes = [Route(SWITCH_PATH, switch_language, methods=["GET"], name="console_language")]
