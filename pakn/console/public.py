"""The public pages, without sign-in: the province's published figures and
answered reports, a report's public page by its tracking code, and the web
form for citizens without the app.

Each page calls the service its API endpoint calls, so what is public
(pakn.domain.publication), how it is masked, how a code is read and how a
submission is checked, limited and deduplicated are the API's own rules.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.console.charts import TREND_TITLE, TrendPoint, trend_chart
from pakn.console.language import language_of
from pakn.console.pages import page, redirect, render
from pakn.core.deps import now_of, settings_of
from pakn.core.pagination import parse_limit
from pakn.core.query import CODE_PATTERN, PageQuery, read_query, require_order
from pakn.core.ratelimit import Door, code_door
from pakn.domain.tracking import CODE_LENGTH, CODE_SHAPE, normalise_tracking_code
from pakn.reference import service as reference
from pakn.reference.service import ADMIN_UNIT_CODE_MAX, CATEGORY_CODE_MAX
from pakn.stats import PeriodQuery
from pakn.stats import service as stats
from pakn.submission import (
    FeedFilter,
    ViewContext,
    categories_by_code,
    public_feed,
    track,
)
from pakn.weekly import Week, last_completed_week, weekly_trend

SEARCH_MAX = 200  # as GET /api/v1/feedback/public
TREND_WEEKS = 12


class HomeQuery(PeriodQuery, PageQuery):
    """The figures' period (as GET /api/v1/stats/public) and the feed's filters
    (as GET /api/v1/feedback/public)."""

    category: str | None = Field(None, max_length=CATEGORY_CODE_MAX, pattern=CODE_PATTERN)
    admin_unit: str | None = Field(None, max_length=ADMIN_UNIT_CODE_MAX, pattern=CODE_PATTERN)
    q: str | None = Field(None, max_length=SEARCH_MAX)


async def public_context(request: Request) -> ViewContext:
    """How the public views read: in the reader's language, local time; they show no attachments."""
    return ViewContext(
        lang=language_of(request).code,
        tz=settings_of(request).tz,
        categories=await categories_by_code(),
        attachment_url=lambda feedback, item: "",
        now=now_of(request),
    )


@page
async def home(request: Request) -> Response:
    query = read_query(request, HomeQuery)
    require_order(query.start, query.end, ("from", "to"), strict=True)
    settings, now, lang = settings_of(request), now_of(request), language_of(request)
    summary = await stats.summary(stats.StatsFilter(query.start, query.end, now), settings.tz)
    figures = stats.public_figures(summary, lang.code)
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
        chart=trend_chart([_trend_point(week, row) for week, row in weeks], title=lang.gettext(TREND_TITLE), lang=lang),
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
        error = language_of(request).gettext(
            "Mã tra cứu không hợp lệ. Mã có dạng %(shape)s (năm, rồi %(length)s ký tự).",
            shape=CODE_SHAPE,
            length=CODE_LENGTH,
        )
        return render(request, "public_report.html", 422, report=None, code=raw[:64], error=error)
    return redirect(request, f"/reports/{quote(code, safe='')}")


@page
@code_door(Door.LOOKUP)
async def report_page(request: Request) -> Response:
    """What GET /api/v1/feedback/{code} shows without a token: the public view, or 404."""
    report = await track(request.path_params["code"], None, await public_context(request))
    tz = settings_of(request).tz
    return render(request, "public_report.html", report=report, code=report.tracking_code, error=None, tz=tz)


routes = [
    Route("/", home, methods=["GET"], name="public_home"),
    Route("/reports", lookup, methods=["GET"], name="public_lookup"),
    Route("/reports/{code}", report_page, methods=["GET"], name="public_report"),
]
