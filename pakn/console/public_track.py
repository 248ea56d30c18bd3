"""A citizen's own report in the browser: the tracking code and the secret
typed into a form (or filled from the private link's fragment by
/static/track.js), sent by POST so that the secret is never in a URL, a log
or a Referer. What it shows is the API's private view, by the same rule."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.console.language import N_, language_of
from pakn.console.pages import page, render
from pakn.console.public import public_context
from pakn.console.session import csrf_refused, same_origin
from pakn.core.deps import settings_of
from pakn.core.http import read_limited_body
from pakn.core.problems import Problem, not_found
from pakn.core.ratelimit import Door, code_door
from pakn.domain.tracking import normalise_tracking_code
from pakn.submission import FeedbackPrivate, track

TRACK_PATH = "/track"
MAX_FORM_BYTES = 4096
NOT_FOUND = N_("Không tìm thấy phản ánh với mã tra cứu và mã bí mật này. Hãy kiểm tra lại cả hai mã.")


def private_link(code: str, token: str) -> str:
    """Where the success page sends the citizen: the secret after '#', which
    browsers never send to a server."""
    return f"{TRACK_PATH}#code={code}&token={token}"


@page
async def track_form(request: Request) -> Response:
    return render(request, "public_track.html", report=None, code="", error=None)


@page
async def track_report(request: Request) -> Response:
    await read_limited_body(request, MAX_FORM_BYTES)
    if not same_origin(request):
        raise csrf_refused()
    async with request.form(max_files=0, max_fields=4) as form:
        code = str(form.get("code") or "").strip()[:64]
        token = str(form.get("token") or "").strip()[:256]
    normalised = normalise_tracking_code(code)
    if normalised is None or not token:
        return render(
            request, "public_track.html", 422, report=None, code=code, error=language_of(request).gettext(NOT_FOUND)
        )
    request.state.tracked = (normalised, token)
    try:
        return await _private_page(request)
    except Problem as problem:
        if problem.status != 404:
            raise
        return render(
            request, "public_track.html", 404, report=None, code=code, error=language_of(request).gettext(NOT_FOUND)
        )


@code_door(Door.LOOKUP)  # the lookup door's limits, and its budget of failed guesses per address
async def _private_page(request: Request) -> Response:
    code, token = request.state.tracked
    report = await track(code, token, await public_context(request))
    if not isinstance(report, FeedbackPrivate):  # a published report, but not this token's
        raise not_found()
    tz = settings_of(request).tz
    return render(request, "public_track.html", report=report, code=code, error=None, tz=tz)


routes = [
    Route(TRACK_PATH, track_form, methods=["GET"], name="public_track_form"),
    Route(TRACK_PATH, track_report, methods=["POST"], name="public_track"),
]
