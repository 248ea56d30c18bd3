"""The statistics: the one definition of every published figure.

Definitions (also in README, "Statistics"):

- Cohort: the reports *received* (`created_at`) in [start, end), local dates in
  the service's time zone: a report at 23:59:59 local on the day before `end`
  is in, one at 00:00:00 local on `end` is out. Either bound may be open. Only
  reports received by `as_of` are in: figures as of an instant know nothing
  received after it, whether or not `end` is given.
  Reports rejected as spam (`reject_reason` "spam", pakn.workflow.spam) are
  never in a cohort, whatever `as_of`: they were never PAKN, so they count
  neither as received nor as handled (nor rejected) in any figure.
- Handled as of `as_of`: `handled_at` is set and `handled_at <= as_of`.
  `handled_at` is when the report last entered a handled status (resolved,
  closed, rejected, duplicate: `pakn.domain.status.HANDLED`) and is cleared on
  reopening, so a reopened report is not handled. Limitation: for an `as_of`
  in the past, a report handled then but reopened (or handled again) since
  counts as it stands now. Reconstructing each report's status from its
  events would be exact, at the cost of a per-report lookup over the whole
  event log; reopening is rare and the default `as_of` is now, where
  `handled_at` is exact, so the figures use the column.
- On time: handled and `handled_at <= deadline` (exactly at the deadline is on
  time). Late: handled and `handled_at > deadline`. Handled reports without a
  deadline are neither; on_time_ratio = on_time / (on_time + late).
- Overdue: not handled as of `as_of` and `deadline < as_of`.
- Waiting: not handled as of `as_of` and waiting for the citizen (status
  `info_requested`); in progress: every other report not handled as of `as_of`.
  So received = handled + in_progress + waiting. Rejected and duplicate are
  the handled reports in those statuses (part of handled).
- Handling time: working days between the local dates of receipt and of
  handling, as the difference of the `work_day` ordinals (same day: 0); the
  median and mean are over the handled reports whose dates the calendar covers.
- Satisfaction: ratings of 4–5 among the ratings given by `as_of` to reports
  of the cohort, with the number of ratings.
- Ratios are divided here from the counts and never rounded (null when the
  denominator is 0); only `display` rounds, in Vietnamese (pakn.text.formatting;
  `display_in` gives it in English for the console's English pages).

Every figure is an aggregate in one SQL query per request (pakn.stats.queries),
from the per-report conditions below.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pakn.core.problems import field_problem
from pakn.domain.status import Status
from pakn.models import AdminUnit, Agency, Category
from pakn.stats import queries
from pakn.stats.filters import StatsFilter as StatsFilter  # part of this service's face
from pakn.stats.schemas import BreakdownRow, Display, Figures, Period, PublicStats, StatsQuery, Summary
from pakn.text import formatting as fmt

# Each figure but `received` counts the reports of the cohort that meet its
# condition. `{as_of}` is bound to the instant of the figures; `f` is the
# report, `r` its rating if given by then, `wc`/`wh` the work_day rows of its
# local receipt and handling dates. A NULL handled_at (never handled, or
# reopened) fails every comparison, hence the explicit IS NULL in OPEN.
HANDLED = "f.handled_at <= {as_of}"
OPEN = "(f.handled_at IS NULL OR f.handled_at > {as_of})"
CONDITIONS: dict[str, str] = {
    "handled": HANDLED,
    "on_time": f"{HANDLED} AND f.handled_at <= f.deadline",
    "late": f"{HANDLED} AND f.handled_at > f.deadline",
    "overdue": f"{OPEN} AND f.deadline < {{as_of}}",
    "in_progress": f"{OPEN} AND f.status <> '{Status.INFO_REQUESTED.value}'",
    "waiting": f"{OPEN} AND f.status = '{Status.INFO_REQUESTED.value}'",
    "rejected": f"{HANDLED} AND f.status = '{Status.REJECTED.value}'",
    "duplicate": f"{HANDLED} AND f.status = '{Status.DUPLICATE.value}'",
    "ratings": "r.score IS NOT NULL",
    "satisfied": "r.score >= 4",
}
# Working days from receipt to handling, for handled reports (NULL otherwise,
# and where the calendar does not cover a date).
DAYS = f"CASE WHEN {HANDLED} THEN wh.ordinal - wc.ordinal END"
COUNTS = ("received", *CONDITIONS)


def filter_from(query: StatsQuery, now: datetime, tz: ZoneInfo, scope_agency: str | None = None) -> StatsFilter:
    """The filter a request or a command asks for; `as_of` defaults to `now`."""
    return StatsFilter(
        start=query.start,
        end=query.end,
        as_of=instant(query.as_of, tz) or now,
        agency=query.agency,
        category=query.category,
        channel=query.channel.value if query.channel else None,
        admin_unit=query.admin_unit,
        scope_agency=scope_agency,
    )


def instant(value: date | datetime | None, tz: ZoneInfo) -> datetime | None:
    """A day means its local midnight (so `as_of` = `to` closes the period); a
    time without an offset is local time."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=tz)
    return datetime.combine(value, time.min, tzinfo=tz)


async def summary(f: StatsFilter, tz: ZoneInfo) -> Summary:
    rows = await queries.aggregate(f, tz, None, CONDITIONS, DAYS)
    figures = figures_of(rows[0] if rows else {})
    return Summary(**figures, period=period_of(f, tz))


async def breakdown(f: StatsFilter, by: str, tz: ZoneInfo) -> list[BreakdownRow]:
    """One row per group, ranked: handled_ratio descending, then received
    descending, then the key (no key last); weeks and months in calendar order."""
    rows = await queries.aggregate(f, tz, by, CONDITIONS, DAYS)
    labels = await queries.labels(by, [row["key"] for row in rows])
    return [BreakdownRow(**figures_of(row), key=row["key"], label=labels[row["key"]]) for row in rows]


# What the public may read of a summary: counts and ratios of the province, which name no one.
PUBLIC_DISPLAY = ("received", "handled", "handled_ratio", "satisfaction", "sentence")


def public_figures(figures: Summary, lang: str = "vi") -> PublicStats:
    """The province-wide figures as published without sign-in (API and public
    pages), their display in `lang`."""
    shown = display_in(figures, lang)
    return PublicStats(
        period=figures.period,
        received=figures.received,
        handled=figures.handled,
        handled_ratio=figures.handled_ratio,
        satisfaction_ratio=figures.satisfaction_ratio,
        ratings=figures.ratings,
        display={name: getattr(shown, name) for name in PUBLIC_DISPLAY},
    )


def period_of(f: StatsFilter, tz: ZoneInfo) -> Period:
    return Period(start=f.start, end=f.end, as_of=f.as_of.astimezone(tz))


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _number(value: Any) -> float | None:
    # PostgreSQL's AVG of integers is a Decimal.
    return None if value is None else float(value)


def figures_of(row: dict[str, Any]) -> dict[str, Any]:
    """The figures of one aggregate row (an empty dict: an empty cohort)."""
    counts = {name: int(row.get(name) or 0) for name in COUNTS}
    figures: dict[str, Any] = {
        **counts,
        "handled_ratio": ratio(counts["handled"], counts["received"]),
        "on_time_ratio": ratio(counts["on_time"], counts["on_time"] + counts["late"]),
        "satisfaction_ratio": ratio(counts["satisfied"], counts["ratings"]),
        "median_handling_days": _number(row.get("median_handling_days")),
        "mean_handling_days": _number(row.get("mean_handling_days")),
    }
    figures["display"] = display(figures)
    return figures


def display(v: dict[str, Any], lang: str = "vi") -> Display:
    names = ("late", "overdue", "in_progress", "waiting", "rejected", "duplicate")
    plain = {name: fmt.count(v[name], lang) for name in names}
    return Display(
        received=fmt.count(v["received"], lang),
        handled=fmt.part_of(v["handled"], v["received"], v["handled_ratio"], lang),
        handled_ratio=fmt.percent(v["handled_ratio"], lang),
        on_time=fmt.part_of(v["on_time"], v["on_time"] + v["late"], v["on_time_ratio"], lang),
        on_time_ratio=fmt.percent(v["on_time_ratio"], lang),
        median_handling_days=fmt.days(v["median_handling_days"], lang),
        mean_handling_days=fmt.days(v["mean_handling_days"], lang),
        satisfaction=fmt.satisfaction(v["satisfaction_ratio"], v["ratings"], lang),
        sentence=fmt.sentence(v["received"], v["handled"], v["handled_ratio"], lang),
        **plain,
    )


def display_in(figures: Figures, lang: str) -> Display:
    """A cohort's display text in `lang` (its own `display` is Vietnamese)."""
    return figures.display if lang == "vi" else display(figures.model_dump(), lang)


# Filters that name a row: the parameter, its table, its name in Vietnamese and English.
KNOWN_CODES = (
    ("agency", Agency, "đơn vị xử lý", "agency"),
    ("category", Category, "lĩnh vực", "category"),
    ("admin_unit", AdminUnit, "đơn vị hành chính", "administrative unit"),
)


async def require_known_codes(query: StatsQuery) -> None:
    """A filter naming no agency, category or unit is a 422 naming it, not a
    column of zeros that reads like a real figure. Inactive ones still count:
    their past reports are still there."""
    for name, model, vi, en in KNOWN_CODES:
        code = getattr(query, name)
        if code is not None and not await model.exists(code=code):
            raise field_problem(name, "unknown", f"Không có {vi} mã '{code}'.", f"No {en} has the code '{code}'.")
