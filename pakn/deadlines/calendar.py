"""Vietnamese working time: which days are worked, the office hours, and
arithmetic in working days and working hours.

A day is worked when it is a weekday and not a public holiday, or when it is a
Saturday the government swapped for a bridge day off (`weekend_workdays` in
the `holidays` package); the deployment's own lists (`extra_days_off`,
`extra_working_days`) override both, since swaps are announced late.
All arithmetic happens in local time (the office hours are local), and every
result is an aware datetime in that zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

Period = tuple[time, time]
DEFAULT_OFFICE_HOURS: tuple[Period, ...] = ((time(8), time(12)), (time(13), time(17)))
ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)
# A walk that meets no working day for this long is a configuration error
# (every day off), not a reason to loop forever.
MAX_DAYS_OFF_IN_A_ROW = 400
EXTRA_DAY_OFF_NAME = "Ngày nghỉ theo quyết định của địa phương"


class CalendarError(ValueError):
    """The calendar has no working time to count (every day is off)."""


class WorkingCalendar:
    def __init__(
        self,
        tz: ZoneInfo,
        office_hours: Iterable[Period] = DEFAULT_OFFICE_HOURS,
        *,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        country: str = "VN",
    ) -> None:
        self.tz = tz
        self.office_hours = tuple(office_hours)
        self._days_off = frozenset(extra_days_off)
        self._worked = frozenset(extra_working_days)
        # Vietnamese names; the package adds each year when it is first asked about.
        self._holidays = holidays.country_holidays(country, language="vi")
        self._working: dict[date, bool] = {}

    # Days ---------------------------------------------------------------

    def holiday_name(self, day: date) -> str:
        if day in self._days_off:
            return EXTRA_DAY_OFF_NAME
        return str(self._holidays.get(day) or "")

    def is_working_day(self, day: date) -> bool:
        known = self._working.get(day)
        if known is None:
            known = self._working[day] = self._decide(day)
        return known

    def _decide(self, day: date) -> bool:
        if day in self._worked:
            return True
        if day in self._days_off:
            return False
        # Looking the day up fills its year, swapped Saturdays included, before
        # `is_working_day` reads `weekend_workdays`.
        self._holidays.get(day)
        return bool(self._holidays.is_working_day(day))

    def next_working_day(self, day: date) -> date:
        return self._step(day, ONE_DAY)

    def previous_working_day(self, day: date) -> date:
        return self._step(day, -ONE_DAY)

    def _step(self, day: date, step: timedelta) -> date:
        for _ in range(MAX_DAYS_OFF_IN_A_ROW):
            day += step
            if self.is_working_day(day):
                return day
        raise CalendarError(f"no working day within {MAX_DAYS_OFF_IN_A_ROW} days of {day}")

    def close_of_business(self, day: date) -> datetime:
        return datetime.combine(day, self.office_hours[-1][1], self.tz)

    # Working days ---------------------------------------------------------

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Close of business on the `days`-th working day after the (local) day
        of `start`: received Fri 13/02/2026, 10 working days → 06/03/2026 17:00."""
        day = self.local(start).date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self.close_of_business(day)

    def subtract_working_days(self, instant: datetime, days: int) -> datetime:
        """The same local time of day, `days` working days earlier (the due-soon
        threshold: 17:00 on the working day before a deadline)."""
        local = self.local(instant)
        day = local.date()
        for _ in range(days):
            day = self.previous_working_day(day)
        return datetime.combine(day, local.time(), self.tz)

    # Working hours --------------------------------------------------------

    def periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's office periods as instants; none on a day off."""
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, begin, self.tz), datetime.combine(day, end, self.tz))
            for begin, end in self.office_hours
        ]

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        return self.add_working_time(start, timedelta(hours=hours))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant at which `amount` of office time has passed since `start`
        (before it, for a negative amount). An amount that ends exactly at the
        end of a period ends there (17:00, not 08:00 the next working day)."""
        if amount < ZERO:
            return self._rewind(start, -amount)
        cursor = self.local(start)
        if amount == ZERO:
            return cursor
        remaining = amount
        for begin, end in self._periods_from(cursor.date(), ONE_DAY):
            if end <= cursor:
                continue
            begin = max(begin, cursor)
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("unreachable: _periods_from never ends")  # pragma: no cover

    def _rewind(self, start: datetime, amount: timedelta) -> datetime:
        # Strictly less: an amount that uses a period up exactly lands on the end
        # of the period before (17:00 the day before, rather than 08:00).
        cursor = self.local(start)
        remaining = amount
        for begin, end in self._periods_from(cursor.date(), -ONE_DAY):
            if begin >= cursor:
                continue
            end = min(end, cursor)
            if remaining < end - begin:
                return end - remaining
            remaining -= end - begin
        raise AssertionError("unreachable: _periods_from never ends")  # pragma: no cover

    def _periods_from(self, day: date, step: timedelta) -> Iterator[tuple[datetime, datetime]]:
        """Office periods day after day (or day before day), without end."""
        while True:
            periods = self.periods(day)
            if not periods:
                day = self._step(day, step)
                periods = self.periods(day)
            yield from (periods if step > ZERO else reversed(periods))
            day += step

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time from `start` to `end` (negative when `end` is earlier)."""
        if end < start:
            return -self.working_time_between(end, start)
        first, last = self.local(start), self.local(end)
        total = ZERO
        day = first.date()
        while day <= last.date():
            for begin, finish in self.periods(day):
                overlap = min(finish, last) - max(begin, first)
                if overlap > ZERO:
                    total += overlap
            day += ONE_DAY
        return total

    def local(self, instant: datetime) -> datetime:
        if instant.tzinfo is None:
            raise ValueError("a naive datetime has no place in working time: give it a zone")
        return instant.astimezone(self.tz)

    # The work_day table ---------------------------------------------------

    def work_days(self, first: date, last: date) -> list[tuple[date, bool, int, str]]:
        """(day, is_working, ordinal, name) for each day from `first` to `last`;
        `ordinal` counts the working days from `first` up to and including the day."""
        rows = []
        ordinal = 0
        day = first
        while day <= last:
            working = self.is_working_day(day)
            ordinal += working
            rows.append((day, working, ordinal, self.holiday_name(day)[:200]))
            day += ONE_DAY
        return rows
