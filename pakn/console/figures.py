"""The statistics page for staff: the API's summary, breakdowns and export
(pakn.stats.service, the one definition of every figure), each within the
caller's reach, with the weekly trend and the on-time share drawn as SVG."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import agency_scope
from pakn.accounts import service as accounts
from pakn.console.charts import TREND_TITLE, Bar, TrendPoint, bar_chart, trend_chart
from pakn.console.language import N_, Language, language_of, translated
from pakn.console.pages import render, security_headers
from pakn.console.session import staff_page
from pakn.core.deps import now_of, settings_of
from pakn.core.query import read_query, require_order
from pakn.domain.channels import CHANNEL_LABELS
from pakn.domain.roles import Role
from pakn.reference import service as reference
from pakn.stats import (
    BreakdownRow,
    ExportQuery,
    StatsQuery,
    export_file,
    service,
)

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import Category, StaffUser

# The same reach as GET /api/v1/stats/summary (admins pass every role check).
READERS = (Role.COORDINATOR, Role.HANDLER, Role.VIEWER, Role.ADMIN)
TABLES = (
    ("agency", N_("Theo đơn vị xử lý")),
    ("category", N_("Theo lĩnh vực")),
    ("channel", N_("Theo kênh tiếp nhận")),
    ("admin_unit", N_("Theo địa bàn")),
)
ON_TIME_TITLE = N_("Tỷ lệ xử lý đúng hạn theo đơn vị")
TREND_WEEKS_MAX = 52  # the chart shows at most the last year of the period
PRIVATE = {"Cache-Control": "private, no-store", "Vary": "Cookie"}
Filters = TypeVar("Filters", bound=StatsQuery)


async def _filter_of(request: Request, user: StaffUser, schema: type[Filters]) -> tuple[Filters, service.StatsFilter]:
    """What is asked, checked as the API checks it, within the caller's reach."""
    query = read_query(request, schema)
    require_order(query.start, query.end, ("from", "to"), strict=True)
    await service.require_known_codes(query)
    return query, service.filter_from(query, now_of(request), settings_of(request).tz, agency_scope(user))


@staff_page(*READERS)
async def stats_page(request: Request, user: StaffUser) -> Response:
    query, f = await _filter_of(request, user, StatsQuery)
    tz, lang = settings_of(request).tz, language_of(request)
    figures = await service.summary(f, tz)
    categories = await reference.list_categories(active_only=False)
    tables = {by: await service.breakdown(f, by, tz) for by, _ in TABLES}
    shown = {by: [_in(row, by, lang, categories) for row in rows] for by, rows in tables.items()}
    weeks = await service.breakdown(f, "week", tz)
    kept = [(key, value) for key, value in request.query_params.multi_items() if value]
    return render(
        request,
        "stats.html",
        query=query,
        figures=figures.model_copy(update={"display": service.display_in(figures, lang.code)}),
        period=lang.period(query.start, query.end),
        tables=[(by, lang.gettext(title), shown[by], _exports(kept, by)) for by, title in TABLES],
        trend=trend_chart(trend_points(weeks), title=lang.gettext(TREND_TITLE), lang=lang),
        on_time=bar_chart(on_time_bars(shown["agency"]), title=lang.gettext(ON_TIME_TITLE), lang=lang),
        agencies=await accounts.list_agencies(include_inactive=True),
        categories=categories,
        channels=translated(CHANNEL_LABELS, lang),
    )


def _in(row: BreakdownRow, by: str, lang: Language, categories: list[Category]) -> BreakdownRow:
    """A table's row in the reader's language: its display text, and the name
    of its group where the domain or the catalog has one (agencies and places
    are called what they are called)."""
    if lang.code == "vi":
        return row
    label = row.label
    if row.key is None or by == "channel":
        label = lang.gettext(row.label)  # "Chưa giao đơn vị"..., a channel's name
    elif by == "category":
        label = next((item.name_en or label for item in categories if item.code == row.key), label)
    return row.model_copy(update={"label": label, "display": service.display_in(row, lang.code)})


def _exports(kept: list[tuple[str, str]], by: str) -> dict[str, str]:
    """The export of one table, with the page's filters."""
    return {
        kind: f"/console/stats/export?{urlencode([*kept, ('by', by), ('format', kind)])}" for kind in ("csv", "xlsx")
    }


def trend_points(rows: list[BreakdownRow]) -> list[TrendPoint]:
    """One point per week from the first week with reports to the last (weeks
    without reports read 0, ratio unknown), at most the last TREND_WEEKS_MAX."""
    by_monday = {date.fromisoformat(row.key): row for row in rows if row.key}
    if not by_monday:
        return []
    first, last = min(by_monday), max(by_monday)
    first = max(first, last - timedelta(weeks=TREND_WEEKS_MAX - 1))
    mondays = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    return [_point(monday, by_monday.get(monday)) for monday in mondays]


def _point(monday: date, row: BreakdownRow | None) -> TrendPoint:
    label = monday.strftime("%d/%m")
    if row is None:
        return TrendPoint(label, 0, 0, None)
    return TrendPoint(label, row.received, row.handled, row.handled_ratio)


def on_time_bars(rows: list[BreakdownRow]) -> list[Bar]:
    return [Bar(row.label, row.on_time_ratio) for row in rows]


@staff_page(*READERS)
async def stats_export(request: Request, user: StaffUser) -> Response:
    """GET /api/v1/stats/export for a signed-in browser: the same file, the same headers."""
    query, f = await _filter_of(request, user, ExportQuery)
    rows = await service.breakdown(f, query.by, settings_of(request).tz)
    file = export_file(rows, query)
    headers = {
        **security_headers(request),
        **PRIVATE,
        "Content-Disposition": f'attachment; filename="{file.name}"',
    }
    return Response(file.content, media_type=file.media_type, headers=headers)


routes = [
    Route("/console/stats", stats_page, methods=["GET"], name="console_stats"),
    Route("/console/stats/export", stats_export, methods=["GET"], name="console_stats_export"),
]
