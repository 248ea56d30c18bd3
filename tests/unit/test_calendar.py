"""Vietnamese working time: Tết, the government's day swaps, local overrides,
office hours with the lunch break, and pause arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pakn.deadlines.calendar import WorkingCalendar

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar(TZ)


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=TZ)


def test_ten_working_days_from_the_friday_before_tet_2026_end_on_6_march_at_close_of_business() -> None:
    assert CAL.add_working_days(at("2026-02-13"), 10) == at("2026-03-06", "17:00")


def test_tet_2026_is_five_days_off_and_the_week_after_is_worked() -> None:
    tet = [date(2026, 2, 16) + timedelta(days=n) for n in range(5)]
    assert not any(CAL.is_working_day(day) for day in tet)
    assert CAL.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert CAL.is_working_day(date(2026, 2, 23))


def test_the_saturday_swapped_for_a_bridge_day_is_worked_and_the_bridge_day_is_not() -> None:
    # Decision of 2026: Saturday 22/08 worked, Monday 31/08 off (before 1–2/9).
    assert CAL.is_working_day(date(2026, 8, 22))
    assert not CAL.is_working_day(date(2026, 8, 31))
    assert CAL.add_working_days(at("2026-08-21"), 1) == at("2026-08-22", "17:00")
    # 29–30/8 weekend, 31/8 swapped, 1–2/9 National Day: the next working day is Thursday 3/9.
    assert CAL.add_working_days(at("2026-08-28"), 1) == at("2026-09-03", "17:00")


def test_the_2025_swap_is_known_too() -> None:
    assert CAL.is_working_day(date(2025, 4, 26)) and not CAL.is_working_day(date(2025, 5, 2))


def test_local_days_off_and_working_days_from_the_config_override_the_package() -> None:
    local = WorkingCalendar(TZ, extra_days_off=[date(2026, 12, 1)], extra_working_days=[date(2026, 12, 5)])
    assert not local.is_working_day(date(2026, 12, 1))
    assert local.is_working_day(date(2026, 12, 5))  # a Saturday
    assert local.holiday_name(date(2026, 12, 1)) != ""
    assert local.add_working_days(at("2026-11-30"), 1) == at("2026-12-02", "17:00")


def test_days_count_from_the_day_of_receipt_whatever_the_hour_or_day() -> None:
    assert CAL.add_working_days(at("2026-11-27", "20:30"), 1) == at("2026-11-30", "17:00")  # Friday evening
    assert CAL.add_working_days(at("2026-11-28"), 1) == at("2026-11-30", "17:00")  # Saturday
    # Sunday 17:30 UTC is Monday 00:30 in Hà Nội: the day of receipt is Monday.
    assert CAL.add_working_days(datetime(2026, 11, 29, 17, 30, tzinfo=UTC), 1) == at("2026-12-01", "17:00")


def test_two_working_hours_from_half_past_four_end_at_half_past_nine_the_next_working_day() -> None:
    assert CAL.add_working_hours(at("2026-11-27", "16:30"), 2) == at("2026-11-30", "09:30")


def test_the_lunch_break_does_not_count() -> None:
    assert CAL.add_working_hours(at("2026-11-26", "11:30"), 1) == at("2026-11-26", "13:30")
    assert CAL.add_working_hours(at("2026-11-26", "12:15"), 1) == at("2026-11-26", "14:00")
    assert CAL.working_time_between(at("2026-11-26", "11:00"), at("2026-11-26", "14:00")) == timedelta(hours=2)


def test_hours_that_use_a_period_up_end_at_its_end_and_start_before_opening_counts_from_opening() -> None:
    assert CAL.add_working_hours(at("2026-11-26", "10:00"), 2) == at("2026-11-26", "12:00")
    assert CAL.add_working_hours(at("2026-11-26", "15:00"), 2) == at("2026-11-26", "17:00")
    assert CAL.add_working_hours(at("2026-11-26", "06:00"), 1) == at("2026-11-26", "09:00")
    assert CAL.add_working_hours(at("2026-11-26", "18:00"), 0) == at("2026-11-26", "18:00")


def test_four_working_hours_before_tet_continue_after_it() -> None:
    assert CAL.add_working_hours(at("2026-02-13", "15:00"), 4) == at("2026-02-23", "10:00")


def test_working_time_between_skips_nights_weekends_and_holidays() -> None:
    # Thursday 16:00 → Monday 09:00: 1 h + a full Friday (8 h) + 1 h.
    assert CAL.working_time_between(at("2026-11-26", "16:00"), at("2026-11-30", "09:00")) == timedelta(hours=10)
    assert CAL.working_time_between(at("2026-02-13", "16:00"), at("2026-02-23", "09:00")) == timedelta(hours=2)
    assert CAL.working_time_between(at("2026-11-30", "09:00"), at("2026-11-26", "16:00")) == timedelta(hours=-10)


def test_a_pause_added_back_moves_a_deadline_by_the_office_time_it_lasted() -> None:
    paused = CAL.working_time_between(at("2026-03-03", "15:00"), at("2026-03-04", "10:00"))
    assert paused == timedelta(hours=4)
    assert CAL.add_working_time(at("2026-03-11", "17:00"), paused) == at("2026-03-12", "12:00")


def test_going_back_in_working_time_lands_on_the_end_of_the_earlier_period() -> None:
    assert CAL.add_working_time(at("2026-11-27", "17:00"), -timedelta(hours=8)) == at("2026-11-26", "17:00")
    assert CAL.add_working_time(at("2026-11-30", "09:00"), -timedelta(hours=2)) == at("2026-11-27", "16:00")
    assert CAL.add_working_hours(at("2026-11-26", "14:00"), -1) == at("2026-11-26", "12:00")


def test_one_working_day_before_a_deadline_is_the_same_hour_on_the_working_day_before() -> None:
    assert CAL.subtract_working_days(at("2026-03-06", "17:00"), 1) == at("2026-03-05", "17:00")
    assert CAL.subtract_working_days(at("2026-11-30", "09:30"), 1) == at("2026-11-27", "09:30")
    assert CAL.subtract_working_days(at("2026-02-23", "17:00"), 1) == at("2026-02-13", "17:00")


def test_results_are_in_local_time_whatever_zone_the_start_is_in() -> None:
    start = at("2026-11-26", "10:00").astimezone(UTC)
    result = CAL.add_working_hours(start, 1)
    assert result.utcoffset() == timedelta(hours=7) and result == at("2026-11-26", "11:00")


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_hours(datetime(2026, 11, 26, 10, 0), 1)


def test_other_office_hours_are_honoured() -> None:
    from datetime import time

    short = WorkingCalendar(TZ, [(time(7, 30), time(11, 30)), (time(13, 30), time(16, 30))])
    assert short.add_working_days(at("2026-11-26"), 1) == at("2026-11-27", "16:30")
    assert short.add_working_hours(at("2026-11-26", "11:00"), 1) == at("2026-11-26", "14:00")


def test_the_table_rows_count_working_days_by_ordinal() -> None:
    rows = {row[0]: row for row in CAL.work_days(date(2026, 1, 1), date(2026, 12, 31))}
    assert rows[date(2026, 1, 1)] == (date(2026, 1, 1), False, 0, "Tết Dương lịch")
    assert rows[date(2026, 3, 6)][2] - rows[date(2026, 2, 13)][2] == 10
    assert rows[date(2026, 8, 22)][1] is True
    assert rows[date(2026, 2, 14)][2] == rows[date(2026, 2, 13)][2]  # a day off repeats the count
