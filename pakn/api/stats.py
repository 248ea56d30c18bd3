"""Routes of the statistics: summary, breakdown and export for staff (each
within its reach: a handler sees its own agency, a viewer its reach), and
province-wide public figures without login, cached briefly."""

from __future__ import annotations

import time
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import agency_scope, current_staff, require_role
from pakn.core.deps import now_of, settings_of
from pakn.core.http import json_response
from pakn.core.openapi import document
from pakn.core.query import read_query, require_order
from pakn.domain.channels import Channel
from pakn.domain.roles import Role
from pakn.stats import (
    GROUPS,
    Breakdown,
    BreakdownQuery,
    ExportQuery,
    PeriodQuery,
    PublicStats,
    StatsQuery,
    Summary,
    export_file,
    service,
)

READERS = (Role.COORDINATOR, Role.HANDLER, Role.VIEWER)
PRIVATE = {"Cache-Control": "private, no-store", "Vary": "Authorization"}
PUBLIC_TTL_SECONDS = 60
PUBLIC_CACHE_MAX = 256
Query = TypeVar("Query", bound=PeriodQuery)
Filters = TypeVar("Filters", bound=StatsQuery)
# What the parameters accept, for the OpenAPI document; empty means "no filter".
_YEARS = r"(?:19|2\d)\d{2}"  # pakn.stats.schemas.EARLIEST..LATEST
_EMPTY = {"type": "string", "maxLength": 0}
_DAY = {"anyOf": [{"type": "string", "format": "date", "pattern": f"^{_YEARS}-\\d{{2}}-\\d{{2}}$"}, _EMPTY]}
_CODE = {"type": "string", "pattern": r"^(?:[A-Za-z0-9][A-Za-z0-9._-]*)?$"}
PERIOD_PARAMETERS: dict[str, dict[str, Any]] = {
    "from": _DAY | {"description": "Ngày đầu (gồm), giờ địa phương / first local day, inclusive"},
    "to": _DAY | {"description": "Ngày cuối (không gồm), giờ địa phương / local day after the last, exclusive"},
}
FILTER_PARAMETERS: dict[str, dict[str, Any]] = {
    **PERIOD_PARAMETERS,
    "as_of": {
        "anyOf": [
            *_DAY["anyOf"],
            {"type": "string", "format": "date-time", "pattern": f"^{_YEARS}-"},
        ],
        "description": "Tính đến thời điểm (mặc định: bây giờ) / figures as of this instant (default now)",
    },
    "agency": _CODE | {"maxLength": 64},
    "category": _CODE | {"maxLength": 64},
    "channel": {"type": "string", "enum": [*(channel.value for channel in Channel), ""]},
    "admin_unit": _CODE | {"maxLength": 16, "description": "Xã/phường, hoặc tỉnh: mọi xã của tỉnh"},
}
BREAKDOWN_PARAMETERS = {**FILTER_PARAMETERS, "by": {"type": "string", "enum": [*GROUPS, ""], "default": "agency"}}
EXPORT_PARAMETERS = {
    **BREAKDOWN_PARAMETERS,
    "format": {"type": "string", "enum": ["csv", "xlsx", ""], "default": "csv"},
}


def parse_query(request: Request, schema: type[Query]) -> Query:
    """The query string as `schema` (pakn.core.query); `to` must come after `from`."""
    query = read_query(request, schema)
    require_order(query.start, query.end, ("from", "to"), strict=True)
    return query


async def _staff_query(request: Request, schema: type[Filters]) -> tuple[Filters, service.StatsFilter]:
    """Who asks (401/403 first), what they ask, and the filter within their reach."""
    user = await current_staff(request)
    require_role(user, *READERS)
    query = parse_query(request, schema)
    await service.require_known_codes(query)
    f = service.filter_from(query, now_of(request), settings_of(request).tz, agency_scope(user))
    return query, f


@document(
    summary="Số liệu tổng hợp (Summary figures of a period)",
    responses={200: Summary, 422: None},
    query=list(FILTER_PARAMETERS),
    parameters=FILTER_PARAMETERS,
    bearer=True,
    tags=["stats"],
)
async def stats_summary(request: Request) -> Response:
    _, f = await _staff_query(request, StatsQuery)
    return json_response(await service.summary(f, settings_of(request).tz), headers=PRIVATE)


@document(
    summary="Số liệu theo nhóm, xếp hạng (Figures per agency, category, channel, unit, week, month)",
    responses={200: Breakdown, 422: None},
    query=list(BREAKDOWN_PARAMETERS),
    parameters=BREAKDOWN_PARAMETERS,
    bearer=True,
    tags=["stats"],
)
async def stats_breakdown(request: Request) -> Response:
    query, f = await _staff_query(request, BreakdownQuery)
    tz = settings_of(request).tz
    rows = await service.breakdown(f, query.by, tz)
    return json_response(Breakdown(by=query.by, period=service.period_of(f, tz), items=rows), headers=PRIVATE)


@document(
    summary="Xuất số liệu theo nhóm ra CSV hoặc XLSX (Export the breakdown)",
    responses={422: None},
    query=list(EXPORT_PARAMETERS),
    parameters=EXPORT_PARAMETERS,
    reply_headers=["Content-Disposition"],
    binary=("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    bearer=True,
    tags=["stats"],
)
async def stats_export(request: Request) -> Response:
    query, f = await _staff_query(request, ExportQuery)
    rows = await service.breakdown(f, query.by, settings_of(request).tz)
    file = export_file(rows, query)
    headers = {**PRIVATE, "Content-Disposition": f'attachment; filename="{file.name}"'}
    return Response(file.content, media_type=file.media_type, headers=headers)


@document(
    summary="Số liệu công khai toàn tỉnh (Province-wide public figures, no login)",
    responses={200: PublicStats, 422: None},
    query=list(PERIOD_PARAMETERS),
    parameters=PERIOD_PARAMETERS,
    tags=["stats"],
)
async def stats_public(request: Request) -> Response:
    query = parse_query(request, PeriodQuery)
    cache = _public_cache(request)
    key = (query.start, query.end)
    hit = cache.get(key)
    if hit is None or hit[0] <= time.monotonic():
        tz = settings_of(request).tz
        figures = await service.summary(service.StatsFilter(query.start, query.end, now_of(request)), tz)
        hit = (time.monotonic() + PUBLIC_TTL_SECONDS, service.public_figures(figures).model_dump(mode="json"))
        if len(cache) >= PUBLIC_CACHE_MAX:
            cache.clear()  # periods asked by anyone: keep the memory bounded
        cache[key] = hit
    return json_response(hit[1], headers={"Cache-Control": f"public, max-age={PUBLIC_TTL_SECONDS}"})


def _public_cache(request: Request) -> dict[Any, tuple[float, dict[str, Any]]]:
    """A tiny per-app cache: the public screen of every app user asks the same
    question, and a minute-old figure is fine. Expired entries are replaced on
    the next ask."""
    state = request.app.state
    if not hasattr(state, "stats_public_cache"):
        state.stats_public_cache = {}
    cache: dict[Any, tuple[float, dict[str, Any]]] = state.stats_public_cache
    return cache


routes = [
    Route("/api/v1/stats/summary", stats_summary, methods=["GET"]),
    Route("/api/v1/stats/breakdown", stats_breakdown, methods=["GET"]),
    Route("/api/v1/stats/export", stats_export, methods=["GET"]),
    Route("/api/v1/stats/public", stats_public, methods=["GET"]),
]
