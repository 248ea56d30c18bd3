"""The public pages, without sign-in: the province's published figures and
answered reports, a report's public page by its tracking code, and the web
form for citizens without the app.

Each page calls the service its API endpoint calls, so what is public
(pakn.domain.publication), how it is masked, how a code is read and how a
submission is checked, limited and deduplicated are the API's own rules.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from pydantic import Field
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.attachments import storage_of
from pakn.console.charts import TrendPoint, trend_chart
from pakn.console.pages import page, redirect, render
from pakn.console.session import csrf_refused, new_check, same_origin
from pakn.core.deps import client_address_of, now_of, server_key_of, settings_of
from pakn.core.http import read_limited_body, require_media_type
from pakn.core.pagination import parse_limit
from pakn.core.problems import FieldError, Problem, unprocessable
from pakn.core.query import CODE_PATTERN, PageQuery, read_query, require_order
from pakn.core.ratelimit import Door, code_door, rate_limit
from pakn.core.validation import parse_model
from pakn.domain.tracking import normalise_tracking_code
from pakn.reference import service as reference
from pakn.reference.service import ADMIN_UNIT_CODE_MAX, CATEGORY_CODE_MAX
from pakn.settings import Limits
from pakn.stats import PeriodQuery
from pakn.stats import service as stats
from pakn.submission import (
    MULTIPART,
    MULTIPART_OVERHEAD,
    FeedbackCreate,
    FeedFilter,
    FormLimits,
    ViewContext,
    categories_by_code,
    checked_key,
    inspect_all,
    public_feed,
    read_form,
    read_uploads,
    service,
    track,
)
from pakn.weekly import Week, last_completed_week, weekly_trend

SEARCH_MAX = 200  # as GET /api/v1/feedback/public
TREND_WEEKS = 12
SUBMIT_PATH = "/submit"
SUBMIT_CHECK = "pakn_submit_check"  # the form's double-submit cookie (no session for citizens)
FORM_FIELDS = 20
TEXT_FIELDS = ("title", "content", "category", "name", "phone", "email", "address", "lat", "lng")


class HomeQuery(PeriodQuery, PageQuery):
    """The figures' period (as GET /api/v1/stats/public) and the feed's filters
    (as GET /api/v1/feedback/public)."""

    category: str | None = Field(None, max_length=CATEGORY_CODE_MAX, pattern=CODE_PATTERN)
    admin_unit: str | None = Field(None, max_length=ADMIN_UNIT_CODE_MAX, pattern=CODE_PATTERN)
    q: str | None = Field(None, max_length=SEARCH_MAX)


async def public_context(request: Request) -> ViewContext:
    """How the public views read: Vietnamese, local time; they show no attachments."""
    return ViewContext(
        lang="vi",
        tz=settings_of(request).tz,
        categories=await categories_by_code(),
        attachment_url=lambda feedback, item: "",
        now=now_of(request),
    )


@page
async def home(request: Request) -> Response:
    query = read_query(request, HomeQuery)
    require_order(query.start, query.end, ("from", "to"), strict=True)
    settings, now = settings_of(request), now_of(request)
    figures = stats.public_figures(await stats.summary(stats.StatsFilter(query.start, query.end, now), settings.tz))
    weeks = await weekly_trend(last_completed_week(now, settings.tz), settings.tz, None, TREND_WEEKS)
    limits = settings.limits
    feed = FeedFilter(
        category=query.category,
        admin_unit=query.admin_unit,
        q=query.q,
        cursor=query.cursor,
        limit=parse_limit(query.limit, limits.page_size_default, limits.page_size_max),
    )
    found = await public_feed(feed, await public_context(request))
    kept = [(key, value) for key, value in request.query_params.multi_items() if key != "cursor" and value]
    next_url = f"/?{urlencode([*kept, ('cursor', found.next_cursor)])}" if found.next_cursor else None
    return render(
        request,
        "public_home.html",
        figures=figures,
        chart=trend_chart([_trend_point(week, row) for week, row in weeks], title="Tiếp nhận và đã xử lý theo tuần"),
        items=found.items,
        next_url=next_url,
        query=query,
        categories=await reference.list_categories(),
        tz=settings.tz,
    )


def _trend_point(week: Week, row: Any) -> TrendPoint:
    label = week.start.strftime("%d/%m")
    return TrendPoint(label, row.received, row.handled, row.handled_ratio) if row else TrendPoint(label, 0, 0, None)


@page
async def lookup(request: Request) -> Response:
    """The lookup form; with `code`, the report's page (the code read as the API reads it)."""
    raw = request.query_params.get("code", "").strip()
    if not raw:
        return render(request, "public_report.html", report=None, code="", error=None)
    code = normalise_tracking_code(raw[:64])
    if code is None:
        error = "Mã tra cứu không hợp lệ. Mã có dạng PAKN-2025-XXXXXXXX (8 ký tự sau năm)."
        return render(request, "public_report.html", 422, report=None, code=raw[:64], error=error)
    return redirect(request, f"/reports/{quote(code, safe='')}")


@page
@code_door(Door.LOOKUP)
async def report_page(request: Request) -> Response:
    """What GET /api/v1/feedback/{code} shows without a token: the public view, or 404."""
    report = await track(request.path_params["code"], None, await public_context(request))
    tz = settings_of(request).tz
    return render(request, "public_report.html", report=report, code=report.tracking_code, error=None, tz=tz)


# --- the submission form -------------------------------------------------------------


@dataclass
class Typed:
    """What the citizen typed, to show again with the errors (never the files)."""

    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(TEXT_FIELDS, ""))
    is_public: bool = True


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
    return Typed(values, is_public=form.get("is_public") == "1")


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
    return render(request, "public_submitted.html", created=outcome.created, replayed=outcome.replayed)


async def _submit(request: Request, form: FormData, typed: Typed) -> service.Outcome:
    """What POST /api/v1/feedback does with a multipart submission."""
    settings = settings_of(request)
    data = parse_model(FeedbackCreate, payload_of(typed))
    uploads = await read_uploads(form.getlist("attachments"), settings.limits)
    raw_key = form.get("key")
    key = checked_key(raw_key if isinstance(raw_key, str) else None, settings.limits.idempotency_key_max_length)
    submission = service.Submission(data, key, tuple(upload.digest for upload in uploads))
    outcome = await service.find_replay(submission, server_key_of(request)) if uploads else None
    if outcome is not None:
        return outcome
    files = await inspect_all(uploads, settings.limits)
    return await service.submit(
        service.Submission(data, key, submission.upload_digests, files, client_address=client_address_of(request)),
        storage=storage_of(request),
        server_key=server_key_of(request),
        now=now_of(request),
    )


async def _refused(request: Request, typed: Typed, problem: Problem) -> Response:
    """The form again, as typed, with the service's reasons in Vietnamese and its status."""
    errors: dict[str, str] = {}
    for error in problem.errors:
        name = _field_name(error.field)
        errors.setdefault(name, error.message_vi)
    message = problem.detail_vi or problem.title_vi
    if problem.slug == "idempotency-key-reused":  # the form of a report already sent, then edited
        message = "Biểu mẫu này đã được dùng để gửi một phản ánh khác. Hãy kiểm tra nội dung rồi bấm gửi lại."
    response = await _form_page(request, problem.status, typed, errors, message)
    if "Retry-After" in problem.headers:
        response.headers["Retry-After"] = problem.headers["Retry-After"]
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
    Route("/", home, methods=["GET"], name="public_home"),
    Route("/reports", lookup, methods=["GET"], name="public_lookup"),
    Route("/reports/{code}", report_page, methods=["GET"], name="public_report"),
    Route(SUBMIT_PATH, submit_form, methods=["GET"], name="public_submit_form"),
    Route(SUBMIT_PATH, submit, methods=["POST"], name="public_submit"),
]
