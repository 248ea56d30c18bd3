"""Signing in and out of the console, through the accounts service: the same
password check, throttle and token as `POST /api/v1/auth/token`."""

from __future__ import annotations

import hmac

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import SignIn
from pakn.accounts import service as accounts
from pakn.console.language import N_, language_of
from pakn.console.pages import page, redirect, render
from pakn.console.session import (
    SIGN_IN_CHECK,
    SIGN_IN_PATH,
    csrf_refused,
    end_session,
    local_next,
    new_check,
    same_origin,
    set_session,
    staff_page,
)
from pakn.core.deps import client_address_of, now_of, settings_of
from pakn.core.problems import Problem

WRONG = N_("Tên đăng nhập hoặc mật khẩu không đúng.")


def _form(request: Request, status: int = 200, error: str | None = None, username: str = "") -> Response:
    check = new_check()
    response = render(
        request,
        "sign_in.html",
        status,
        check=check,
        error=error,
        username=username,
        next=local_next(request.query_params.get("next")),
    )
    response.set_cookie(SIGN_IN_CHECK, check, max_age=3600, httponly=True, samesite="strict", path=SIGN_IN_PATH)
    return response


@page
async def sign_in_form(request: Request) -> Response:
    return _form(request)


@page
async def sign_in(request: Request) -> Response:
    form = await request.form(max_fields=10, max_files=0)
    sent, expected = form.get("check"), request.cookies.get(SIGN_IN_CHECK)
    if not (isinstance(sent, str) and expected and hmac.compare_digest(sent, expected) and same_origin(request)):
        raise csrf_refused()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    lang = language_of(request)
    try:
        credentials = SignIn(username=username, password=password)
    except ValidationError:
        return _form(request, 401, lang.gettext(WRONG), username)
    settings = settings_of(request)
    try:
        issued = await accounts.sign_in(credentials, client_address_of(request), now_of(request), settings.auth)
    except Problem as problem:
        message = lang.pick(problem.detail_vi, problem.detail_en) or lang.pick(problem.title_vi, problem.title_en)
        response = _form(request, problem.status, message, username)
        if "Retry-After" in problem.headers:
            response.headers["Retry-After"] = problem.headers["Retry-After"]
        return response
    response = redirect(request, local_next(str(form.get("next", ""))))
    set_session(response, request, issued.access_token, issued.expires_in)
    response.delete_cookie(SIGN_IN_CHECK, path=SIGN_IN_PATH)
    return response


@staff_page()
async def sign_out(request: Request, user: object) -> Response:
    await accounts.sign_out(request.state.console_token, now_of(request))
    response = redirect(request, SIGN_IN_PATH)
    end_session(response, request)
    return response


routes = [
    Route(SIGN_IN_PATH, sign_in_form, methods=["GET"]),
    Route(SIGN_IN_PATH, sign_in, methods=["POST"]),
    Route("/console/sign-out", sign_out, methods=["POST"]),
]
