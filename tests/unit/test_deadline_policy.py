"""The deadline policy: times per priority and category from the config, the
due-soon threshold, and where a report stands."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from pakn.deadlines.calendar import WorkingCalendar
from pakn.deadlines.policy import DeadlinePolicy, DeadlineState, Kind, Span, deadline_state, level
from pakn.domain.channels import Priority
from pakn.domain.status import Status
from pakn.settings import CalendarConfig, DeadlinesConfig, Settings

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
POLICY = DeadlinePolicy(WorkingCalendar(TZ), DeadlinesConfig())


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=TZ)


def test_spans_are_working_days_or_office_hours() -> None:
    assert Span.parse("7d") == Span(days=7)
    assert Span.parse("4h") == Span(hours=4)
    assert Span.parse("1.5h") == Span(hours=1.5)
    for bad in ("7", "d", "2w", "-1d", "1,5h"):
        with pytest.raises(ValueError):
            Span.parse(bad)


def test_the_default_times_follow_the_issue() -> None:
    received = at("2026-11-26", "10:00")  # a Thursday
    assert POLICY.deadline(Kind.ASSIGN, received, None, Priority.NORMAL) == at("2026-11-27", "17:00")
    assert POLICY.deadline(Kind.ASSIGN, received, None, Priority.URGENT) == at("2026-11-26", "12:00")
    assert POLICY.deadline(Kind.RESOLVE, received, None, Priority.NORMAL) == at("2026-12-07", "17:00")
    assert POLICY.deadline(Kind.RESOLVE, received, None, Priority.COMPLEX) == at("2026-12-17", "17:00")
    assert POLICY.deadline(Kind.RESOLVE, received, None, Priority.URGENT) == at("2026-11-26", "15:00")


def test_a_category_overrides_only_what_it_names() -> None:
    config = DeadlinesConfig(categories={"an-ninh-trat-tu": {"urgent": {"resolve": "2h"}, "normal": {"resolve": "3d"}}})
    policy = DeadlinePolicy(WorkingCalendar(TZ), config)
    received = at("2026-11-26", "10:00")
    assert policy.deadline(Kind.RESOLVE, received, "an-ninh-trat-tu", Priority.URGENT) == at("2026-11-26", "12:00")
    assert policy.deadline(Kind.RESOLVE, received, "an-ninh-trat-tu", Priority.NORMAL) == at("2026-12-01", "17:00")
    assert policy.times("an-ninh-trat-tu", Priority.URGENT).assign == Span(hours=2)
    assert policy.deadline(Kind.RESOLVE, received, "giao-thong", Priority.URGENT) == at("2026-11-26", "15:00")


def test_due_soon_is_one_working_day_before_and_an_hour_for_urgent_reports() -> None:
    assert POLICY.due_soon_at(at("2026-03-06", "17:00"), None, Priority.NORMAL) == at("2026-03-05", "17:00")
    assert POLICY.due_soon_at(at("2026-11-30", "09:30"), None, Priority.URGENT) == at("2026-11-30", "08:30")
    assert POLICY.due_soon_at(at("2026-11-30", "08:30"), None, Priority.URGENT) == at("2026-11-27", "16:30")


def test_the_urgent_flag_counts_as_urgent_priority() -> None:
    assert level("normal", True) is Priority.URGENT
    assert level("complex", False) is Priority.COMPLEX


def test_a_waiting_report_is_given_up_after_ten_working_days() -> None:
    assert POLICY.incomplete_after(at("2026-02-13", "10:00")) == at("2026-03-06", "17:00")


@pytest.mark.parametrize(
    ("status", "now", "expected"),
    [
        (Status.IN_PROGRESS, at("2026-03-05", "09:00"), DeadlineState.ON_TRACK),
        (Status.IN_PROGRESS, at("2026-03-05", "17:00"), DeadlineState.DUE_SOON),
        (Status.ASSIGNED, at("2026-03-06", "17:00"), DeadlineState.OVERDUE),
        (Status.ANSWERED, at("2026-03-09", "08:00"), DeadlineState.OVERDUE),
        (Status.RESOLVED, at("2026-03-09", "08:00"), None),
        (Status.DUPLICATE, at("2026-03-09", "08:00"), None),
    ],
)
def test_the_deadline_state_as_of_an_instant(status: Status, now: datetime, expected: DeadlineState | None) -> None:
    assert deadline_state(status, at("2026-03-06", "17:00"), at("2026-03-05", "17:00"), None, now) is expected


def test_without_a_deadline_there_is_no_state() -> None:
    assert deadline_state(Status.RECEIVED, None, None, None, at("2026-03-05")) is None


def test_while_the_citizen_is_asked_the_state_stands_where_it_stood() -> None:
    asked = at("2026-03-04", "09:00")
    later = at("2026-03-20", "09:00")
    state = deadline_state(Status.INFO_REQUESTED, at("2026-03-06", "17:00"), at("2026-03-05", "17:00"), asked, later)
    assert state is DeadlineState.ON_TRACK


def test_bad_deadline_settings_stop_start_up() -> None:
    with pytest.raises(ValidationError):
        DeadlinesConfig(normal={"resolve": "seven days"})
    with pytest.raises(ValidationError):
        CalendarConfig(office_hours=[("08:00", "12:00"), ("11:00", "17:00")])
    with pytest.raises(ValidationError, match="unknown category"):
        Settings(config=None, deadlines={"categories": {"khong-co": {"urgent": {"resolve": "1h"}}}})


def test_office_hours_and_extra_days_read_from_toml_text() -> None:
    config = CalendarConfig(office_hours=[["07:30", "11:30"], ["13:30", "16:30"]], extra_days_off=["2027-03-05"])
    calendar = WorkingCalendar(TZ, config.office_hours, extra_days_off=config.extra_days_off)
    assert calendar.close_of_business(at("2027-03-04").date()) == at("2027-03-04", "16:30")
    assert not calendar.is_working_day(at("2027-03-05").date())
    assert calendar.working_time_between(at("2027-03-04", "07:00"), at("2027-03-04", "18:00")) == timedelta(hours=7)
