"""The statistics' contract: query parameters in, figures out.

Query strings are read by `pakn.core.query.read_query`, as every list's are:
unknown or repeated parameters are refused (a misspelt filter silently ignored
would publish the wrong figure), and an empty value (`?channel=`) means "no filter".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pakn.core.query import CODE_PATTERN, QueryModel
from pakn.domain.channels import Channel
from pakn.text.fields import LocalizedValueError

GROUPS = ("agency", "category", "channel", "admin_unit", "week", "month")
By = Literal["agency", "category", "channel", "admin_unit", "week", "month"]
# Any plausible period, and far from year 1 and 9999, where converting local
# midnight to UTC would overflow.
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?$")
_BAD_DATE = ("Phải là ngày dạng YYYY-MM-DD.", "Must be a date YYYY-MM-DD.")
_BAD_WHEN = (
    "Phải là ngày YYYY-MM-DD hoặc thời điểm ISO 8601 (vd. 2026-01-31T08:00:00+07:00).",
    "Must be a date YYYY-MM-DD or an ISO 8601 date-time (e.g. 2026-01-31T08:00:00+07:00).",
)
_OUT_OF_RANGE = ("Năm phải từ 1900 đến 2999.", "The year must be between 1900 and 2999.")


def parse_day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = str(value)
    try:
        if _DATE.match(text):
            return _in_range(date.fromisoformat(text))
    except ValueError:
        pass
    raise LocalizedValueError(*_BAD_DATE)


def parse_instant(value: Any) -> date | datetime | None:
    """A day (its local midnight) or an instant (local time without an offset)."""
    if value is None or isinstance(value, date):
        return value
    text = str(value)
    if _DATE.match(text):
        return parse_day(text)
    try:
        if _DATETIME.match(text):
            moment = datetime.fromisoformat(text.upper())
            _in_range(moment.date())
            return moment
    except ValueError:
        pass
    raise LocalizedValueError(*_BAD_WHEN)


def _in_range(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise LocalizedValueError(*_OUT_OF_RANGE)
    return day


class PeriodQuery(QueryModel):
    """`from` inclusive, `to` exclusive, both local dates; either may be left out."""

    start: date | None = Field(None, alias="from")
    end: date | None = Field(None, alias="to")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _day(cls, value: Any) -> date | None:
        return parse_day(value)


class StatsQuery(PeriodQuery):
    as_of: date | datetime | None = None
    agency: str | None = Field(None, max_length=64, pattern=CODE_PATTERN)
    category: str | None = Field(None, max_length=64, pattern=CODE_PATTERN)
    channel: Channel | None = None
    admin_unit: str | None = Field(None, max_length=16, pattern=CODE_PATTERN)

    @field_validator("as_of", mode="before")
    @classmethod
    def _instant(cls, value: Any) -> date | datetime | None:
        return parse_instant(value)


class BreakdownQuery(StatsQuery):
    by: By = "agency"


class ExportQuery(BreakdownQuery):
    format: Literal["csv", "xlsx"] = "csv"


# Replies ---------------------------------------------------------------------


class Display(BaseModel):
    """The figures as Vietnamese text, rounded for reading only."""

    received: str = Field(examples=["2.137"])
    handled: str = Field(examples=["1.963/2.137 (91,9%)"])
    handled_ratio: str = Field(examples=["91,9%"])
    on_time: str = Field(examples=["1.800/1.963 (91,7%)"])
    late: str
    on_time_ratio: str
    overdue: str
    in_progress: str
    waiting: str
    rejected: str
    duplicate: str
    median_handling_days: str = Field(examples=["3 ngày làm việc"])
    mean_handling_days: str = Field(examples=["3,4 ngày làm việc"])
    satisfaction: str = Field(examples=["92,0% (1.234 lượt đánh giá)"])
    sentence: str = Field(examples=["Tổng số PAKN được tiếp nhận là 2.137, tổng số PAKN đã xử lý là 1.963, đạt 91,9%."])


class Figures(BaseModel):
    """One cohort's figures; definitions in pakn/stats/service.py and README."""

    received: int
    handled: int
    handled_ratio: float | None = Field(description="handled / received, 0–1; null when nothing was received")
    on_time: int
    late: int
    on_time_ratio: float | None = Field(description="on_time / (on_time + late); null when neither")
    overdue: int
    in_progress: int
    waiting: int = Field(description="Waiting for the citizen (info_requested)")
    rejected: int
    duplicate: int
    median_handling_days: float | None = Field(description="Working days from receipt to handling")
    mean_handling_days: float | None
    satisfied: int = Field(description="Ratings of 4 or 5")
    ratings: int
    satisfaction_ratio: float | None = Field(description="satisfied / ratings; null without ratings")
    display: Display


class Period(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, populate_by_name=True)

    start: date | None = Field(alias="from")
    end: date | None = Field(alias="to", description="Exclusive")
    as_of: datetime


class Summary(Figures):
    period: Period


class BreakdownRow(Figures):
    key: str | None = Field(description="The group's code (agency, category, …), week's Monday or month")
    label: str


class Breakdown(BaseModel):
    by: By
    period: Period
    items: list[BreakdownRow] = Field(
        description="Groups by handled_ratio descending, then received descending, then key; "
        "weeks and months in calendar order"
    )


class PublicStats(BaseModel):
    period: Period
    received: int
    handled: int
    handled_ratio: float | None
    satisfaction_ratio: float | None
    ratings: int
    display: dict[str, str] = Field(examples=[{"received": "2.137", "handled": "1.963/2.137 (91,9%)"}])
