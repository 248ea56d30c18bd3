"""The submission form for citizens without the app: the API's FeedbackCreate
filled from a web form, with photos and a place picked on the map; the same
service, limits and idempotency key (one per rendering of the form)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.attachments import storage_of
from pakn.console.language import N_, language_of
from pakn.console.pages import page, render
from pakn.console.public_track import private_link
from pakn.console.session import csrf_refused, new_check, same_origin
from pakn.console.web_push import CHANNEL as WEB_PUSH
from pakn.console.web_push import application_server_key, posted_device
from pakn.core.deps import client_address_of, now_of, server_key_of, settings_of
from pakn.core.http import read_limited_body, require_media_type
from pakn.core.problems import FieldError, Problem, unprocessable
from pakn.core.ratelimit import Door, rate_limit
from pakn.core.validation import parse_model
from pakn.reference import service as reference
from pakn.settings import Limits
from pakn.submission import (
    MULTIPART,
    MULTIPART_OVERHEAD,
    FeedbackCreate,
    FormLimits,
    checked_key,
    inspect_all,
    read_form,
    read_uploads,
    service,
)

SUBMIT_PATH = "/submit"
SUBMIT_CHECK = "pakn_submit_check"  # the form's double-submit cookie (no session for citizens)
FORM_FIELDS = 20
FORM_REUSED = N_("Biểu mẫu này đã được dùng để gửi một phản ánh khác. Hãy kiểm tra nội dung rồi bấm gửi lại.")
TEXT_FIELDS = ("title", "content", "category", "name", "phone", "email", "address", "lat", "lng")


@dataclass
class Typed:
    """What the citizen typed, to show again with the errors (never the files)."""

    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(TEXT_FIELDS, ""))
    is_public: bool = True
    # The browser's device secret (web-push.js), kept while it is valid so that
    # fixing another field does not register the browser again.
    device_secret: str = ""


async def _form_page(
    request: Request,
    status: int = 200,
    typed: Typed | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
) -> Response:
    check = request.cookies.get(SUBMIT_CHECK) or new_check()
    console = settings_of(request).console
    response = render(
        request,
        "public_submit.html",
        status,
        check=check,
        key=secrets.token_urlsafe(24),  # one per rendering: a double click or a resend is one report
        typed=typed or Typed(),
        errors=errors or {},
        message=message,
        categories=await reference.list_categories(),
        tiles=console.tile_url,
        attribution=console.tile_attribution,
        web_push_key=application_server_key(settings_of(request)),
    )
    https = request.url.scheme == "https"
    response.set_cookie(
        SUBMIT_CHECK, check, max_age=86_400, httponly=True, secure=https, samesite="strict", path=SUBMIT_PATH
    )
    return response


@page
async def submit_form(request: Request) -> Response:
    return await _form_page(request)


def web_form_limits(limits: Limits) -> FormLimits:
    return FormLimits(
        files=limits.max_attachments,
        fields=FORM_FIELDS,
        part_bytes=limits.max_json_bytes,
        parsed_files=limits.max_attachments,
    )


async def _posted(request: Request) -> FormData:
    """The form, within the API's size limits, once its check matches the cookie."""
    limits = settings_of(request).limits
    require_media_type(request, (MULTIPART,))
    budget = limits.max_attachments * limits.max_attachment_bytes + limits.max_json_bytes
    await read_limited_body(request, budget + MULTIPART_OVERHEAD)
    form = await read_form(request, web_form_limits(limits))
    sent, expected = form.get("check"), request.cookies.get(SUBMIT_CHECK)
    if not (isinstance(sent, str) and expected and hmac.compare_digest(sent, expected) and same_origin(request)):
        await form.close()
        raise csrf_refused()
    return form


def typed_of(form: FormData) -> Typed:
    values = {name: str(form.get(name) or "") for name in TEXT_FIELDS}
    secret = str(form.get("device_secret") or "").strip()
    return Typed(values, is_public=form.get("is_public") == "1", device_secret=secret)


def payload_of(typed: Typed) -> dict[str, Any]:
    """The form as the API's FeedbackCreate payload, channel "web"."""
    v = {name: value.strip() for name, value in typed.values.items()}
    data: dict[str, Any] = {"title": v["title"], "content": v["content"], "channel": "web"}
    data["is_public"] = typed.is_public
    if v["category"]:
        data["category"] = v["category"]
    location: dict[str, Any] = {"address": v["address"]} if v["address"] else {}
    if v["lat"] or v["lng"]:
        location |= {"lat": _number(v["lat"], "location.lat"), "lon": _number(v["lng"], "location.lon")}
    if location:
        data["location"] = location
    contact = {name: v[name] for name in ("name", "phone", "email") if v[name]}
    if contact:
        data["contact"] = contact
    return data


def _number(text: str, name: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        error = FieldError(name, "not_a_number", "Phải là một số (độ thập phân).", "Must be a number.")
        raise unprocessable([error]) from None


@page
async def submit(request: Request) -> Response:
    form = await _posted(request)
    typed = typed_of(form)
    try:
        await rate_limit(request, Door.SUBMIT)
        outcome = await _submit(request, form, typed)
    except Problem as problem:
        return await _refused(request, typed, problem)
    finally:
        await form.close()
    created = outcome.created
    link = private_link(created.tracking_code, created.access_token)
    return render(request, "public_submitted.html", created=created, replayed=outcome.replayed, private_link=link)


async def _submit(request: Request, form: FormData, typed: Typed) -> service.Outcome:
    """What POST /api/v1/feedback does with a multipart submission."""
    settings = settings_of(request)
    device = await posted_device(typed.device_secret, now_of(request))
    payload = payload_of(typed)
    if device is not None:  # the citizen ticked the box: this browser, and e-mail if given
        payload["notify"] = [WEB_PUSH, *(["email"] if typed.values["email"].strip() else [])]
    data = parse_model(FeedbackCreate, payload)
    uploads = await read_uploads(form.getlist("attachments"), settings.limits)
    raw_key = form.get("key")
    key = checked_key(raw_key if isinstance(raw_key, str) else None, settings.limits.idempotency_key_max_length)
    submission = service.Submission(data, key, tuple(upload.digest for upload in uploads), device=device)
    outcome = await service.find_replay(submission, server_key_of(request)) if uploads else None
    if outcome is not None:
        return outcome
    files = await inspect_all(uploads, settings.limits)
    return await service.submit(
        replace(submission, files=files, client_address=client_address_of(request)),
        storage=storage_of(request),
        server_key=server_key_of(request),
        now=now_of(request),
    )


async def _refused(request: Request, typed: Typed, problem: Problem) -> Response:
    """The form again, as typed, with the service's reasons in the reader's language and its status."""
    lang = language_of(request)
    errors: dict[str, str] = {}
    for error in problem.errors:
        name = _field_name(error.field)
        errors.setdefault(name, lang.pick(error.message_vi, error.message_en))
    message = lang.pick(problem.detail_vi, problem.detail_en) or lang.pick(problem.title_vi, problem.title_en)
    if problem.slug == "idempotency-key-reused":  # the form of a report already sent, then edited
        message = lang.gettext(FORM_REUSED)
    if problem.status == 401:  # the browser's secret: refused, so not offered again
        typed.device_secret = ""
    response = await _form_page(request, problem.status, typed, errors, message)
    for name in ("Retry-After", "WWW-Authenticate"):
        if name in problem.headers:
            response.headers[name] = problem.headers[name]
    return response


def _field_name(api_field: str) -> str:
    """The form control an API field error is about: contact.phone -> phone, location.* -> location."""
    head, _, rest = api_field.partition(".")
    if head == "contact" and rest:
        return rest
    if head.startswith("attachments"):
        return "attachments"
    return head


routes = [
    Route(SUBMIT_PATH, submit_form, methods=["GET"], name="public_submit_form"),
    Route(SUBMIT_PATH, submit, methods=["POST"], name="public_submit"),
]
