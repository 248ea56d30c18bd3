"""The statistics service against the real database: every definition at its
edges, and the province's published sentence to the unit.

Also the seed helpers that the API and CLI statistics tests share: reports are
written with bulk_create, straight into the table, in the states the workflow
would leave them in.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pakn.domain.channels import Channel
from pakn.domain.status import Status
from pakn.models import AdminUnit, Feedback, Rating, WorkDay
from pakn.stats.service import StatsFilter, breakdown, summary

pytestmark = pytest.mark.usefixtures("clean_db")

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = date(2023, 1, 1), date(2023, 10, 1)
AS_OF = datetime(2023, 10, 5, 12, 0, tzinfo=TZ)
_numbers = itertools.count(1)


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)  # type: ignore[misc]


def report(created_at: datetime, **fields: Any) -> Feedback:
    """An unsaved report; `fields` set status, handled_at, deadline, channel, agency_id..."""
    number = next(_numbers)
    fields.setdefault("status", Status.RESOLVED if fields.get("handled_at") else Status.IN_PROGRESS)
    return Feedback(
        tracking_code=f"PAKN-TK-{number:08d}",
        access_token_hash="0" * 64,
        content="Phản ánh thử cho thống kê",
        created_at=created_at,
        updated_at=created_at,
        **fields,
    )


async def save(*reports: Feedback) -> list[Feedback]:
    await Feedback.bulk_create(list(reports), batch_size=500)
    codes = [item.tracking_code for item in reports]
    return await Feedback.filter(tracking_code__in=codes).order_by("id")


async def seed_province() -> None:
    """2,137 mobile reports received in [START, END), 1,963 of them handled;
    web and hotline reports in the same period and mobile ones just outside it."""
    handled_statuses = itertools.cycle(
        [Status.RESOLVED, Status.CLOSED, Status.RESOLVED, Status.REJECTED, Status.DUPLICATE]
    )
    rows = []
    first = local(2023, 1, 1, 0, 0)
    for i in range(2137):
        created = first + timedelta(minutes=97 * i)
        if i < 1963:
            rows.append(
                report(
                    created,
                    channel=Channel.MOBILE,
                    status=next(handled_statuses),
                    handled_at=created + timedelta(days=2),
                )
            )
        else:
            rows.append(report(created, channel=Channel.MOBILE))
    for i in range(300):
        created = first + timedelta(hours=13 * i)
        rows.append(report(created, channel=Channel.WEB, handled_at=created + timedelta(days=1) if i % 3 else None))
    rows += [report(local(2023, 5, 1, 8, 0), channel=Channel.HOTLINE) for _ in range(50)]
    rows += [
        report(local(2022, 12, 31, 23, 59, 59), channel=Channel.MOBILE, handled_at=local(2023, 1, 2, 9, 0)),
        report(local(2023, 10, 1, 0, 0), channel=Channel.MOBILE, handled_at=local(2023, 10, 2, 9, 0)),
    ]
    await Feedback.bulk_create(rows, batch_size=500)


def mobile_filter(**overrides: Any) -> StatsFilter:
    values: dict[str, Any] = {"start": START, "end": END, "as_of": AS_OF, "channel": "mobile"}
    return StatsFilter(**(values | overrides))


@dataclass(frozen=True)
class Calendar:
    ordinals: dict[date, int]

    def working_days(self, start: datetime, end: datetime) -> int:
        return self.ordinals[end.astimezone(TZ).date()] - self.ordinals[start.astimezone(TZ).date()]


@pytest.fixture
async def calendar() -> AsyncIterator[Calendar]:
    """The working calendar of 2023: the deployed one when the table has it,
    otherwise Monday to Friday, inserted here and removed afterwards."""
    first, last = date(2023, 1, 1), date(2023, 12, 31)
    inserted: list[date] = []
    if not await WorkDay.filter(day__gte=first, day__lte=last).exists():
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        ordinal, rows = 0, []
        for day in days:
            ordinal += day.weekday() < 5
            rows.append(WorkDay(day=day, is_working=day.weekday() < 5, ordinal=ordinal))
        await WorkDay.bulk_create(rows)
        inserted = days
    rows = await WorkDay.filter(day__gte=first, day__lte=last).values_list("day", "ordinal")
    yield Calendar(dict(rows))
    if inserted:
        await WorkDay.filter(day__in=inserted).delete()


async def test_the_mobile_figures_read_as_the_province_publishes_them() -> None:
    await seed_province()
    figures = await summary(mobile_filter(), TZ)
    assert (figures.received, figures.handled) == (2137, 1963)
    assert round(figures.handled_ratio or 0, 4) == 0.9186
    assert figures.handled_ratio == 1963 / 2137
    assert figures.display.handled == "1.963/2.137 (91,9%)"
    assert figures.display.received == "2.137"
    assert figures.display.sentence == (
        "Tổng số PAKN được tiếp nhận là 2.137, tổng số PAKN đã xử lý là 1.963, đạt 91,9%."
    )
    assert figures.in_progress + figures.waiting + figures.handled == figures.received
    assert (figures.rejected, figures.duplicate) == (1963 // 5 + (1963 % 5 > 3), 1963 // 5)


async def test_all_channels_together_count_every_report_of_the_period() -> None:
    await seed_province()
    figures = await summary(mobile_filter(channel=None), TZ)
    assert figures.received == 2137 + 300 + 50
    assert figures.handled == 1963 + 200


async def test_a_report_handled_exactly_at_its_deadline_is_on_time() -> None:
    deadline = local(2023, 3, 10, 17, 0)
    await save(
        report(local(2023, 3, 1, 8, 0), handled_at=deadline, deadline=deadline),
        report(local(2023, 3, 1, 8, 0), handled_at=deadline + timedelta(seconds=1), deadline=deadline),
        report(local(2023, 3, 1, 8, 0), handled_at=deadline - timedelta(days=1), deadline=deadline),
        report(local(2023, 3, 1, 8, 0), handled_at=deadline),
    )
    figures = await summary(mobile_filter(channel=None), TZ)
    assert (figures.handled, figures.on_time, figures.late) == (4, 2, 1)
    assert figures.on_time_ratio == 2 / 3
    assert figures.display.on_time == "2/3 (66,7%)"


async def test_a_report_open_past_its_deadline_is_overdue_and_not_at_it() -> None:
    await save(
        report(local(2023, 9, 1, 8, 0), deadline=AS_OF - timedelta(seconds=1)),
        report(local(2023, 9, 1, 8, 0), deadline=AS_OF),
        report(local(2023, 9, 1, 8, 0), deadline=AS_OF - timedelta(days=3), handled_at=AS_OF - timedelta(days=4)),
        # Handled after as_of: at as_of it was still open, and late.
        report(local(2023, 9, 1, 8, 0), deadline=AS_OF - timedelta(days=3), handled_at=AS_OF + timedelta(days=1)),
    )
    figures = await summary(mobile_filter(channel=None), TZ)
    assert (figures.received, figures.handled, figures.overdue, figures.in_progress) == (4, 1, 2, 3)


@pytest.mark.parametrize(
    ("created_at", "inside"),
    [
        (local(2023, 2, 28, 23, 59, 59), False),
        (local(2023, 3, 1, 0, 0), True),  # 2023-02-28T17:00Z: a UTC date outside the period
        (local(2023, 3, 1, 23, 59, 59), True),
        (local(2023, 3, 2, 0, 0), False),  # 2023-03-01T17:00Z: a UTC date inside the period
    ],
)
async def test_the_period_runs_from_local_midnight_to_local_midnight(created_at: datetime, inside: bool) -> None:
    await save(report(created_at))
    figures = await summary(mobile_filter(start=date(2023, 3, 1), end=date(2023, 3, 2), channel=None), TZ)
    assert figures.received == int(inside)


async def test_a_reopened_report_is_not_handled() -> None:
    # Resolved once, then reopened: the workflow cleared handled_at.
    await save(report(local(2023, 4, 3, 8, 0), status=Status.IN_PROGRESS, resolved_at=local(2023, 4, 5, 8, 0)))
    figures = await summary(mobile_filter(channel=None), TZ)
    assert (figures.received, figures.handled, figures.in_progress) == (1, 0, 1)


async def test_waiting_rejected_and_duplicate_reports_are_told_apart() -> None:
    handled = local(2023, 4, 4, 8, 0)
    await save(
        report(local(2023, 4, 3, 8, 0), status=Status.INFO_REQUESTED),
        report(local(2023, 4, 3, 8, 0), status=Status.REJECTED, handled_at=handled),
        report(local(2023, 4, 3, 8, 0), status=Status.DUPLICATE, handled_at=handled),
        report(local(2023, 4, 3, 8, 0), status=Status.CLOSED, handled_at=handled),
    )
    figures = await summary(mobile_filter(channel=None), TZ)
    assert (figures.waiting, figures.in_progress, figures.handled) == (1, 0, 3)
    assert (figures.rejected, figures.duplicate) == (1, 1)


async def test_nothing_received_gives_no_ratio_and_a_dash() -> None:
    figures = await summary(mobile_filter(), TZ)
    assert figures.received == 0 and figures.handled_ratio is None and figures.satisfaction_ratio is None
    assert figures.median_handling_days is None
    assert figures.display.handled == "0/0 (—)"
    assert figures.display.handled_ratio == "—"
    assert figures.display.median_handling_days == "—"


async def test_handling_time_is_counted_in_working_days_of_the_calendar(calendar: Calendar) -> None:
    spans = [
        (local(2023, 3, 6, 9, 0), local(2023, 3, 6, 16, 0)),  # same day
        (local(2023, 3, 10, 16, 0), local(2023, 3, 13, 8, 0)),  # Friday to Monday
        (local(2023, 3, 6, 23, 30), local(2023, 3, 9, 0, 30)),  # local dates, not UTC dates
        (local(2023, 3, 1, 9, 0), local(2023, 3, 31, 9, 0)),
    ]
    await save(*(report(start, handled_at=end) for start, end in spans), report(local(2023, 3, 1, 9, 0)))
    days = sorted(calendar.working_days(start, end) for start, end in spans)
    figures = await summary(mobile_filter(channel=None), TZ)
    assert figures.median_handling_days == (days[1] + days[2]) / 2
    assert figures.mean_handling_days == sum(days) / 4
    odd = await summary(mobile_filter(channel=None, end=date(2023, 3, 10)), TZ)
    assert odd.median_handling_days == sorted(calendar.working_days(s, e) for s, e in spans[:1] + spans[2:])[1]


async def test_satisfaction_is_the_share_of_ratings_four_and_five() -> None:
    rated = await save(*(report(local(2023, 5, 2, 8, 0), handled_at=local(2023, 5, 3, 8, 0)) for _ in range(5)))
    given = local(2023, 5, 4, 8, 0)
    scores = [5, 4, 3, 1]
    # The fifth report is rated after AS_OF (below): the first four are rated now.
    ratings = [Rating(feedback_id=item.id, score=s, created_at=given) for item, s in zip(rated, scores, strict=False)]
    await Rating.bulk_create(ratings)
    await Rating.create(feedback_id=rated[4].id, score=5, created_at=AS_OF + timedelta(days=1))
    figures = await summary(mobile_filter(channel=None), TZ)
    assert (figures.ratings, figures.satisfied, figures.satisfaction_ratio) == (4, 2, 0.5)
    assert figures.display.satisfaction == "50,0% (4 lượt đánh giá)"


async def test_agencies_are_ranked_by_handled_ratio_then_by_received() -> None:
    handled = local(2023, 6, 2, 8, 0)

    def batch(agency: str | None, total: int, done: int) -> list[Feedback]:
        return [
            report(local(2023, 6, 1, 8, 0), agency_id=agency, handled_at=handled if i < done else None)
            for i in range(total)
        ]

    await save(*batch("so-y-te", 4, 2), *batch("so-xay-dung", 2, 2), *batch("so-noi-vu", 8, 4), *batch(None, 1, 0))
    rows = await breakdown(mobile_filter(channel=None), "agency", TZ)
    assert [row.key for row in rows] == ["so-xay-dung", "so-noi-vu", "so-y-te", None]
    assert rows[0].label == "Sở Xây dựng" and rows[-1].label == "Chưa giao đơn vị"
    assert [row.display.handled for row in rows] == ["2/2 (100,0%)", "4/8 (50,0%)", "2/4 (50,0%)", "0/1 (0,0%)"]


async def test_weeks_and_months_are_local_and_in_calendar_order() -> None:
    # Sunday 23:30 local is still the week of Monday 27 February (UTC: Sunday 16:30).
    await save(report(local(2023, 3, 5, 23, 30)), report(local(2023, 3, 6, 0, 10)), report(local(2023, 2, 28, 9, 0)))
    weeks = await breakdown(mobile_filter(channel=None), "week", TZ)
    assert [(row.key, row.received) for row in weeks] == [("2023-02-27", 2), ("2023-03-06", 1)]
    assert weeks[0].label == "Tuần từ 27/02/2023"
    months = await breakdown(mobile_filter(channel=None), "month", TZ)
    assert [(row.key, row.label, row.received) for row in months] == [
        ("2023-02", "Tháng 02/2023", 1),
        ("2023-03", "Tháng 03/2023", 2),
    ]


async def test_a_province_filter_counts_its_communes() -> None:
    commune = await AdminUnit.filter(level="commune").exclude(parent_id=None).first()
    assert commune is not None
    other = await AdminUnit.filter(level="commune").exclude(parent_id=commune.parent_id).first()
    assert other is not None
    await save(
        report(local(2023, 7, 1, 8, 0), admin_unit_id=commune.code),
        report(local(2023, 7, 1, 8, 0), admin_unit_id=other.code),
    )
    province = await summary(mobile_filter(channel=None, admin_unit=commune.parent_id), TZ)
    assert province.received == 1
    rows = await breakdown(mobile_filter(channel=None), "admin_unit", TZ)
    assert {row.label for row in rows} == {commune.name, other.name}


async def test_the_caller_s_reach_limits_every_figure() -> None:
    await save(
        report(local(2023, 7, 1, 8, 0), agency_id="so-y-te"),
        report(local(2023, 7, 1, 8, 0), agency_id="so-xay-dung"),
    )
    mine = await summary(mobile_filter(channel=None, scope_agency="so-y-te"), TZ)
    theirs = await summary(mobile_filter(channel=None, scope_agency="so-y-te", agency="so-xay-dung"), TZ)
    nobody = await summary(mobile_filter(channel=None, scope_agency=""), TZ)
    assert (mine.received, theirs.received, nobody.received) == (1, 0, 0)


async def test_figures_can_be_taken_as_of_an_earlier_instant() -> None:
    await save(report(local(2023, 8, 1, 8, 0), handled_at=local(2023, 8, 10, 8, 0)))
    before = await summary(mobile_filter(channel=None, as_of=local(2023, 8, 10, 7, 59).astimezone(UTC)), TZ)
    after = await summary(mobile_filter(channel=None, as_of=local(2023, 8, 10, 8, 0)), TZ)
    assert (before.handled, after.handled) == (0, 1)
