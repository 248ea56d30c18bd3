"""The statistics' SQL: one aggregate query per request, the same text on
SQLite and PostgreSQL but for the placeholders (`?` vs `$n`) and date functions.

Raw, parameterised SQL rather than the ORM's query builder, because the
figures need what the builder cannot say: joins to the working calendar on
each report's *local* date, local week and month buckets, and a median.

The query aggregates twice. First, the cohort's reports are counted per group
and per handling time in working days (each figure a `COUNT(*) FILTER`);
that leaves a few dozen rows per group. Then the groups' totals are summed
from those rows, and the median and mean handling times are read from the
same histogram with window sums. Exact, like percentile_cont (the mean of the
two middle values for an even count), without sorting the cohort, and the same
SQL on both databases.

Local dates use the time zone's UTC offset at `as_of` as a fixed interval:
SQLite has no time zone data, and a fixed offset is also cheaper than a named
zone on PostgreSQL. Right for Vietnam (UTC+7 all year since 1975); a zone with
summer time would misplace reports within an hour of midnight across a change.
Instants are bound in UTC: SQLite stores them as UTC text and compares text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import connections

from pakn.domain.channels import CHANNEL_LABELS, Channel
from pakn.models import AdminUnit, Agency, Category
from pakn.models.spam import SPAM
from pakn.stats.filters import StatsFilter

NO_KEY = {
    "agency": "Chưa giao đơn vị",
    "category": "Chưa phân loại lĩnh vực",
    "admin_unit": "Không rõ địa bàn",
    "channel": "Không rõ kênh",
}
RANKED = ("agency", "category", "channel", "admin_unit")
# A report rejected as spam was never a PAKN: it is outside every cohort, so it
# counts neither as received nor as handled (pakn.workflow.spam).
GENUINE = f"(f.reject_reason IS NULL OR f.reject_reason <> '{SPAM}')"


@dataclass
class Sql:
    """Bound values in the order their placeholders appear in the text."""

    postgres: bool
    offset_minutes: int
    values: list[Any] = field(default_factory=list)

    def bind(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else "?"

    def local_date(self, column: str) -> str:
        if self.postgres:
            return f"({column} AT TIME ZONE INTERVAL '{self.offset_minutes} minutes')::date"
        return f"date({column}, '{self.offset_minutes:+d} minutes')"

    def group(self, by: str | None) -> str:
        """The group of a report: a code, or the local week's Monday or month's first day."""
        if by in RANKED:
            return "f.channel" if by == "channel" else f"f.{by}_id"
        if by in ("week", "month") and self.postgres:
            return f"date_trunc('{by}', f.created_at AT TIME ZONE INTERVAL '{self.offset_minutes} minutes')::date"
        if by in ("week", "month"):
            start = "'weekday 0', '-6 days'" if by == "week" else "'start of month'"
            return f"date(f.created_at, '{self.offset_minutes:+d} minutes', {start})"
        if by is None:
            return "''"
        raise ValueError(f"unknown grouping {by!r}")


class _Slots(dict[str, str]):
    """`{as_of}` in a definition binds the instant once per occurrence, in order."""

    def __init__(self, sql: Sql, as_of: datetime) -> None:
        super().__init__()
        self.sql, self.as_of = sql, as_of

    def __missing__(self, key: str) -> str:
        if key != "as_of":
            raise KeyError(key)
        return self.sql.bind(self.as_of)


def utc_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def _histogram(sql: Sql, f: StatsFilter, tz: ZoneInfo, by: str | None, conditions: dict[str, str], days: str) -> str:
    """Counts per group and handling time: the only pass over the cohort."""
    slots = _Slots(sql, f.as_of.astimezone(UTC))
    # Built in the order of the text: SQLite's `?` are positional.
    columns = [f"{sql.group(by)} AS grp", f"{days.format_map(slots)} AS days", "COUNT(*) AS received"]
    columns += [f"COUNT(*) FILTER (WHERE {text.format_map(slots)}) AS {name}" for name, text in conditions.items()]
    joins = [
        f"LEFT JOIN rating r ON r.feedback_id = f.id AND r.created_at <= {slots['as_of']}",
        f"LEFT JOIN work_day wc ON wc.day = {sql.local_date('f.created_at')}",
        f"LEFT JOIN work_day wh ON wh.day = {sql.local_date('f.handled_at')}",
    ]
    where = _conditions(sql, f, tz)
    return (
        f"SELECT {', '.join(columns)} FROM feedback f {' '.join(joins)}"
        f" WHERE {' AND '.join(where) or '1 = 1'} GROUP BY 1, 2"
    )


def _conditions(sql: Sql, f: StatsFilter, tz: ZoneInfo) -> list[str]:
    where = [GENUINE]
    if f.start is not None:
        where.append(f"f.created_at >= {sql.bind(utc_midnight(f.start, tz))}")
    if f.end is not None:
        where.append(f"f.created_at < {sql.bind(utc_midnight(f.end, tz))}")
    # Figures as of an instant know nothing received after it, `to` or no `to`.
    where.append(f"f.created_at <= {sql.bind(f.as_of.astimezone(UTC))}")
    for column, value in (
        ("agency_id", f.agency),
        ("agency_id", f.scope_agency),
        ("category_id", f.category),
        ("channel", f.channel),
    ):
        if value is not None:
            where.append(f"f.{column} = {sql.bind(value)}")
    if f.admin_unit is not None:
        # A commune, or a province and every commune in it; a subquery rather
        # than a join so that the (admin_unit_id, created_at) index serves.
        where.append(
            "f.admin_unit_id IN (SELECT code FROM admin_unit WHERE code = "
            f"{sql.bind(f.admin_unit)} OR parent_id = {sql.bind(f.admin_unit)})"
        )
    return where


# Running and total counts of the handled reports with a handling time, per group.
_RANKS = (
    "SELECT h.*,"
    " CAST(SUM(CASE WHEN h.days IS NOT NULL THEN h.received END) OVER (PARTITION BY h.grp ORDER BY h.days)"
    " AS BIGINT) AS upto,"
    " CAST(SUM(CASE WHEN h.days IS NOT NULL THEN h.received END) OVER (PARTITION BY h.grp) AS BIGINT) AS timed"
    " FROM ({histogram}) h"
)
# The middle value(s) of the handling times: the k-th is the first bucket whose
# running count reaches k (integer division: both counts are integers).
_MEDIAN = (
    "(MIN(CASE WHEN w.upto >= (w.timed + 1) / 2 THEN w.days END)"
    " + MIN(CASE WHEN w.upto >= w.timed / 2 + 1 THEN w.days END)) / 2.0"
)
_MEAN = "1.0 * SUM(w.days * w.received) / SUM(CASE WHEN w.days IS NOT NULL THEN w.received END)"
_RANKING = "1.0 * SUM(w.handled) / SUM(w.received) DESC, SUM(w.received) DESC, w.grp IS NULL, w.grp"


def build(
    f: StatsFilter, tz: ZoneInfo, by: str | None, conditions: dict[str, str], days: str, postgres: bool
) -> tuple[str, list[Any]]:
    """The query and its values: one row per group with every figure."""
    offset = f.as_of.astimezone(tz).utcoffset() or timedelta(0)
    sql = Sql(postgres, int(offset.total_seconds() // 60))
    histogram = _histogram(sql, f, tz, by, conditions, days)
    totals = [f"SUM(w.{name}) AS {name}" for name in ("received", *conditions)]
    figures = [*totals, f"{_MEDIAN} AS median_handling_days", f"{_MEAN} AS mean_handling_days"]
    order = _RANKING if by in RANKED else "w.grp"
    text = (
        f"SELECT w.grp AS key, {', '.join(figures)} FROM ({_RANKS.format(histogram=histogram)}) w"
        f" GROUP BY w.grp ORDER BY {order}"
    )
    return text, sql.values


async def aggregate(
    f: StatsFilter, tz: ZoneInfo, by: str | None, conditions: dict[str, str], days: str
) -> list[dict[str, Any]]:
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    text, values = build(f, tz, by, conditions, days, postgres)
    rows: list[dict[str, Any]] = await connection.execute_query_dict(text, values)
    for row in rows:
        row["key"] = _key(row["key"], by)
    return rows


def _key(value: Any, by: str | None) -> str | None:
    """Weeks by their Monday (YYYY-MM-DD), months as YYYY-MM: SQLite gives text, PostgreSQL dates."""
    if value is None or by not in ("week", "month"):
        return None if value is None else str(value)
    text = value.isoformat() if isinstance(value, date) else str(value)
    return text[:7] if by == "month" else text[:10]


async def labels(by: str, keys: list[str | None]) -> dict[str | None, str]:
    """What each group is called: one small lookup for the codes shown."""
    codes = [key for key in keys if key is not None]
    names: dict[str, str] = {}
    if by == "agency":
        names = dict(await Agency.filter(code__in=codes).values_list("code", "name"))
    elif by == "category":
        names = dict(await Category.filter(code__in=codes).values_list("code", "name_vi"))
    elif by == "admin_unit":
        names = dict(await AdminUnit.filter(code__in=codes).values_list("code", "name"))
    elif by == "channel":
        names = {code: CHANNEL_LABELS.get(Channel(code), code) for code in codes if code in set(Channel)}
    elif by == "week":
        names = {code: f"Tuần từ {date.fromisoformat(code):%d/%m/%Y}" for code in codes}
    elif by == "month":
        names = {code: f"Tháng {code[5:7]}/{code[:4]}" for code in codes}
    return {key: names.get(key, key) if key is not None else NO_KEY.get(by, "—") for key in keys}
