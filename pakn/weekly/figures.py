"""The digest's figures, all from the statistics module (pakn.stats.service),
so that "received", "handled", "on time" and "overdue" mean in the e-mail
exactly what they mean in the API. Only the report lists (overdue, due soon)
are read here, with the statistics' definition of overdue: not handled as of
the instant and the deadline before it.

A week's figures are as of its end (Sunday 24:00 local), so the e-mail for a
week reads the same whenever it is built: on Monday morning, or on Tuesday
after the service was down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.functions import Count

from pakn.mail import CHANNELS
from pakn.models import Feedback, OutboxMessage
from pakn.models.spam import not_spam
from pakn.stats import BreakdownRow, Summary
from pakn.stats.service import StatsFilter, breakdown, figures_of, summary

LIST_LIMIT = 50  # reports listed per section; the rest are counted


@dataclass(frozen=True)
class Week:
    """An ISO week, Monday to Sunday, local dates."""

    start: date

    @property
    def end(self) -> date:  # exclusive: the next Monday
        return self.start + timedelta(days=7)

    @property
    def last_day(self) -> date:  # the Sunday
        return self.start + timedelta(days=6)

    @property
    def year(self) -> int:
        return self.start.isocalendar()[0]

    @property
    def number(self) -> int:
        return self.start.isocalendar()[1]

    @property
    def key(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def label(self) -> str:
        return f"{self.number}/{self.year}"

    def closes_at(self, tz: ZoneInfo) -> datetime:
        return datetime.combine(self.end, time.min, tzinfo=tz)


def last_completed_week(now: datetime, tz: ZoneInfo) -> Week:
    """The latest week that has ended by `now` (local time)."""
    today = now.astimezone(tz).date()
    return Week(today - timedelta(days=today.weekday() + 7))


@dataclass(frozen=True)
class Listed:
    tracking_code: str
    title: str
    deadline: datetime
    days_overdue: int
    agency: str | None = None  # its code; None while not assigned


def week_filter(week: Week, tz: ZoneInfo, agency: str | None, *, weeks: int = 1) -> StatsFilter:
    """Reports received in the week (or the `weeks` ending with it), as of its end."""
    return StatsFilter(
        start=week.start - timedelta(days=7 * (weeks - 1)), end=week.end, as_of=week.closes_at(tz), agency=agency
    )


def backlog_filter(week: Week, tz: ZoneInfo, agency: str | None) -> StatsFilter:
    """Every report received before the week ended: what is still open, overdue."""
    return StatsFilter(start=None, end=week.end, as_of=week.closes_at(tz), agency=agency)


async def week_summary(week: Week, tz: ZoneInfo, agency: str | None = None) -> Summary:
    return await summary(week_filter(week, tz, agency), tz)


async def backlog_summary(week: Week, tz: ZoneInfo, agency: str | None = None) -> Summary:
    return await summary(backlog_filter(week, tz, agency), tz)


async def agency_rows(week: Week, tz: ZoneInfo, *, backlog: bool = False) -> list[BreakdownRow]:
    """Per agency, ranked by the statistics (handled ratio, then received)."""
    chosen = backlog_filter(week, tz, None) if backlog else week_filter(week, tz, None)
    return await breakdown(chosen, "agency", tz)


def empty_row(code: str, name: str) -> BreakdownRow:
    """An agency without reports, with the figures the statistics give an empty cohort."""
    return BreakdownRow(**figures_of({}), key=code, label=name)


async def trend(week: Week, tz: ZoneInfo, agency: str | None, weeks: int) -> list[tuple[Week, BreakdownRow | None]]:
    """The last `weeks` weeks ending with `week`, oldest first; None for a week without reports."""
    rows = await breakdown(week_filter(week, tz, agency, weeks=weeks), "week", tz)
    by_monday = {row.key: row for row in rows}
    series = [Week(week.start - timedelta(days=7 * back)) for back in range(weeks - 1, -1, -1)]
    return [(each, by_monday.get(each.start.isoformat())) for each in series]


def _open_at(as_of: datetime) -> Q:
    # Spam is never listed, as it is never counted (even for a week that ended before it was rejected).
    return Q(created_at__lt=as_of) & (Q(handled_at__isnull=True) | Q(handled_at__gt=as_of)) & not_spam()


async def overdue(agency: str | None, as_of: datetime) -> tuple[list[Listed], int]:
    """The agency's overdue reports (None: the province's, assigned or not),
    most overdue first, and how many in all."""
    as_of = as_of.astimezone(UTC)  # SQLite compares datetimes as text
    query = Feedback.filter(_open_at(as_of), deadline__lt=as_of)
    if agency is not None:
        query = query.filter(agency_id=agency)
    rows = await query.order_by("deadline", "id").limit(LIST_LIMIT)
    return [_listed(row, as_of) for row in rows], await query.count()


async def due_soon(agency: str, as_of: datetime, days: int = 7) -> tuple[list[Listed], int]:
    """The agency's open reports whose deadline falls in the next `days` days."""
    as_of = as_of.astimezone(UTC)
    query = Feedback.filter(
        _open_at(as_of), agency_id=agency, deadline__gte=as_of, deadline__lt=as_of + timedelta(days=days)
    )
    rows = await query.order_by("deadline", "id").limit(LIST_LIMIT)
    return [_listed(row, as_of) for row in rows], await query.count()


def _listed(row: Feedback, as_of: datetime) -> Listed:
    deadline = row.deadline or as_of  # the queries list reports with a deadline only
    late = (as_of - deadline).total_seconds() / 86400
    # Any part of a day past the deadline counts as a day overdue.
    title = row.title or row.content[:80]
    return Listed(row.tracking_code, title, deadline, max(math.ceil(late), 0), row.agency_id)


async def notices_sent(week: Week, tz: ZoneInfo) -> dict[str, int]:
    """The notices sent to citizens in the week (every channel, e-mail too),
    per channel, counted in SQL; every channel present, zero when none."""
    start = datetime.combine(week.start, time.min, tzinfo=tz).astimezone(UTC)
    end = week.closes_at(tz).astimezone(UTC)  # SQLite compares datetimes as text
    sent = OutboxMessage.filter(status="sent", kind__startswith="citizen_", sent_at__gte=start, sent_at__lt=end)
    counts = dict.fromkeys(CHANNELS, 0)
    for channel, n in await sent.annotate(n=Count("id")).group_by("channel").values_list("channel", "n"):
        counts[str(channel)] = int(n)
    return counts
