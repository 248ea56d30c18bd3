"""How long each step may take, per category and priority, and where a report
stands against its deadline. Pure: the calendar and the configuration in,
instants out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from pakn.deadlines.calendar import WorkingCalendar
from pakn.domain.channels import Priority
from pakn.domain.status import HANDLED, Status
from pakn.settings import DeadlinesConfig, Settings

_SPAN = re.compile(r"^(?:(\d+)d|(\d+(?:\.\d+)?)h)$")


class Kind(StrEnum):
    ASSIGN = "assign"  # from receipt until an agency is assigned
    RESOLVE = "resolve"  # from assignment until the answer is published


class DeadlineState(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


# The same, as the replies' schemas write it.
StateName = Literal["on_track", "due_soon", "overdue"]
STATE_NAMES: dict[DeadlineState, StateName] = {
    DeadlineState.ON_TRACK: "on_track",
    DeadlineState.DUE_SOON: "due_soon",
    DeadlineState.OVERDUE: "overdue",
}


@dataclass(frozen=True)
class Span:
    """A length of working time: whole working days, or office hours."""

    days: int = 0
    hours: float = 0.0

    @classmethod
    @lru_cache(maxsize=64)  # a handful of configured spans, read at every intake
    def parse(cls, text: str) -> Span:
        match = _SPAN.match(text)
        if match is None:
            raise ValueError(f"not a working-time span: {text!r} (expected e.g. '7d' or '4h')")
        days, hours = match.groups()
        return cls(days=int(days)) if days else cls(hours=float(hours))

    def after(self, calendar: WorkingCalendar, start: datetime) -> datetime:
        if self.days:
            return calendar.add_working_days(start, self.days)
        return calendar.add_working_hours(start, self.hours)

    def before(self, calendar: WorkingCalendar, instant: datetime) -> datetime:
        if self.days:
            return calendar.subtract_working_days(instant, self.days)
        return calendar.add_working_hours(instant, -self.hours)


@dataclass(frozen=True)
class Times:
    assign: Span
    resolve: Span
    due_soon: Span

    def of(self, kind: Kind) -> Span:
        return self.assign if kind is Kind.ASSIGN else self.resolve


def level(priority: str, urgent: bool) -> Priority:
    """The priority whose times apply: the urgent flag counts as urgent."""
    return Priority.URGENT if urgent else Priority(priority)


@dataclass(frozen=True)
class DeadlinePolicy:
    calendar: WorkingCalendar
    config: DeadlinesConfig

    @classmethod
    def from_settings(cls, settings: Settings) -> DeadlinePolicy:
        calendar = WorkingCalendar(
            settings.tz,
            settings.calendar.office_hours,
            extra_days_off=settings.calendar.extra_days_off,
            extra_working_days=settings.calendar.extra_working_days,
        )
        return cls(calendar, settings.deadlines)

    def times(self, category: str | None, priority: Priority) -> Times:
        base = getattr(self.config, priority.value)
        override = self.config.categories.get(category or "", {}).get(priority.value)
        spans = {
            name: (getattr(override, name, None) if override else None) or getattr(base, name)
            for name in ("assign", "resolve", "due_soon")
        }
        return Times(**{name: Span.parse(text) for name, text in spans.items()})

    def deadline(self, kind: Kind, start: datetime, category: str | None, priority: Priority) -> datetime:
        return self.times(category, priority).of(kind).after(self.calendar, start)

    def due_soon_at(self, deadline: datetime, category: str | None, priority: Priority) -> datetime:
        return self.times(category, priority).due_soon.before(self.calendar, deadline)

    def shift(self, instant: datetime, amount: timedelta) -> datetime:
        return self.calendar.add_working_time(instant, amount)

    def incomplete_after(self, info_requested_at: datetime) -> datetime:
        """When a report still waiting for the citizen's information is given up."""
        return Span.parse(self.config.reject_incomplete_after).after(self.calendar, info_requested_at)


def deadline_state(
    status: Status,
    deadline: datetime | None,
    due_soon_at: datetime | None,
    info_requested_at: datetime | None,
    now: datetime,
) -> DeadlineState | None:
    """Where an open report stands; None once handled or without a deadline.
    While it waits for the citizen the clock is stopped, so it stands where it
    stood when the information was asked for."""
    if status in HANDLED or deadline is None:
        return None
    if status is Status.INFO_REQUESTED and info_requested_at is not None:
        now = min(now, info_requested_at)
    if deadline <= now:
        return DeadlineState.OVERDUE
    if due_soon_at is not None and due_soon_at <= now:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TRACK
