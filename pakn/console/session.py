"""Who is signed in to the console: the same staff accounts, tokens and
sign-in throttle as the API, carried in a cookie instead of a header.

The cookie holds the staff token the API would hand out (`pakn.accounts`
checks it: active account, unexpired, unrevoked), so expiry and sign-out work
the same way. It is HttpOnly, SameSite=Lax, and Secure when the page was
served over HTTPS. Every form carries a CSRF token derived from the session
(HMAC with the server key), and a POST must also come from this origin.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from pakn.accounts import require_role, staff_from_token
from pakn.console.pages import Page, page, redirect
from pakn.core.deps import now_of, server_key_of, settings_of
from pakn.core.problems import Problem
from pakn.domain.roles import Role

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import StaffToken, StaffUser

SIGN_IN_PATH = "/console/sign-in"
SIGN_IN_CHECK = "pakn_sign_in"  # the sign-in form's own CSRF cookie (no session yet)
FORM_MAX_FIELDS = 200


def csrf_refused() -> Problem:
    return Problem(
        403,
        "csrf",
        "Biểu mẫu đã hết hạn",
        "Form expired",
        "Biểu mẫu không còn hợp lệ (hết phiên hoặc gửi từ nơi khác). Hãy tải lại trang rồi thử lại.",
        "The form is no longer valid (session ended or sent from elsewhere). Reload the page and try again.",
    )


def csrf_token(server_key: bytes, session_token: str) -> str:
    return hmac.new(server_key, b"console-csrf\x00" + session_token.encode(), hashlib.sha256).hexdigest()


def new_check() -> str:
    return secrets.token_urlsafe(24)


def cookie_name(request: Request) -> str:
    return settings_of(request).console.cookie_name


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        cookie_name(request), token, max_age=max_age, httponly=True, secure=is_https(request), samesite="lax"
    )


def end_session(response: Response, request: Request) -> None:
    response.delete_cookie(cookie_name(request), httponly=True, secure=is_https(request), samesite="lax")


async def session_of(request: Request, now: datetime) -> tuple[StaffUser, StaffToken] | None:
    """The signed-in account, or None; remembered on the request for templates."""
    token = request.cookies.get(cookie_name(request))
    found = await staff_from_token(token, now)
    if found is not None and token is not None:
        request.state.console_user = found[0]
        request.state.console_token = found[1]
        request.state.console_csrf = csrf_token(server_key_of(request), token)
    return found


def same_origin(request: Request) -> bool:
    """A browser names the page that sent a form (Origin, else Referer); it must be this site."""
    sender = request.headers.get("origin") or request.headers.get("referer")
    if not sender:
        return True  # not a browser, or one that hides it: the CSRF token still decides
    origin = urlsplit(sender)
    return (origin.scheme, origin.netloc) == (request.url.scheme, request.url.netloc)


async def read_form(request: Request, expected: str) -> FormData:
    """The posted form, once its CSRF token and origin are checked."""
    form = await request.form(max_fields=FORM_MAX_FIELDS, max_files=0)
    sent = form.get("csrf")
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected) or not same_origin(request):
        raise csrf_refused()
    return form


def local_next(raw: str | None) -> str:
    """Where to go after signing in: a console path of this site, never elsewhere."""
    if raw and raw.startswith("/console") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/console"


StaffPage = Callable[[Request, "StaffUser"], Awaitable[Response]]


def staff_page(*roles: Role) -> Callable[[StaffPage], Page]:
    """A page for signed-in staff (of these roles, if any are named): anyone
    else is sent to sign in (or shown 403); a POST must carry the form's CSRF
    token, which the handler reads with `posted(request)`."""

    def decorate(handler: StaffPage) -> Page:
        @page
        @wraps(handler)
        async def wrapped(request: Request) -> Response:
            found = await session_of(request, now_of(request))
            if found is None:
                wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return redirect(request, f"{SIGN_IN_PATH}?next={quote(wanted, safe='')}")
            if roles:
                require_role(found[0], *roles)
            if request.method == "POST":
                request.state.console_form = await read_form(request, request.state.console_csrf)
            return await handler(request, found[0])

        return wrapped

    return decorate


def posted(request: Request) -> FormData:
    """The form of a POST that `staff_page` has checked."""
    form: FormData = request.state.console_form
    return form
