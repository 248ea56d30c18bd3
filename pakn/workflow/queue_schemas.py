"""The staff queue's contract: its query parameters, its items, pages and counts.

Query strings arrive as text and are read by `pakn.core.query.read_query`: every
parameter is parsed here with the same Vietnamese/English errors as request
bodies (a 422 naming the parameter), unknown ones are refused, an empty value
(`?category=`) means "no filter", and only `status` may be repeated.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from pakn.core.query import CODE_PATTERN, Flag, PageQuery, QueryModel
from pakn.deadlines import StateName
from pakn.domain.channels import Channel, Priority
from pakn.domain.status import Status
from pakn.text.fields import LocalizedValueError

STATUS_VALUES = tuple(status.value for status in Status)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# ISO 8601 / RFC 3339 date-times: offset optional (then local time), seconds optional.
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?$")
Sort = Literal["created_at", "-created_at", "deadline"]


def parse_when(value: Any) -> date | datetime | None:
    """A day (YYYY-MM-DD) or an instant (ISO date-time, local time without an offset)."""
    if value is None or isinstance(value, date):
        return value
    text = str(value)
    try:
        if _DATE.match(text):
            return date.fromisoformat(text)
        if _DATETIME.match(text):
            return datetime.fromisoformat(text.upper())
    except ValueError:
        pass
    raise LocalizedValueError(
        "Phải là ngày YYYY-MM-DD hoặc thời điểm ISO 8601 (vd. 2026-01-31T08:00:00+07:00).",
        "Must be a date YYYY-MM-DD or an ISO 8601 date-time (e.g. 2026-01-31T08:00:00+07:00).",
    )


def parse_statuses(value: Any) -> tuple[Status, ...]:
    """One status or a comma-separated list, each checked; a repeated
    parameter (a list of them) reads as one list."""
    if value is None or isinstance(value, tuple):
        return value or ()
    values = value if isinstance(value, list) else [value]
    items = [item.strip(" ") for text in values for item in str(text).split(",")]
    unknown = [item for item in items if item not in STATUS_VALUES]
    if unknown:
        allowed = ", ".join(STATUS_VALUES)
        bad = ", ".join(repr(item) for item in unknown)
        raise LocalizedValueError(
            f"Trạng thái không hợp lệ: {bad}. Giá trị hợp lệ: {allowed}.",
            f"Unknown status: {bad}. Allowed: {allowed}.",
        )
    return tuple(dict.fromkeys(Status(item) for item in items))


class QueueFilters(QueryModel):
    """What both the queue and its counts filter on."""

    category: str | None = Field(None, max_length=64, pattern=CODE_PATTERN)
    agency: str | None = Field(None, max_length=64, pattern=CODE_PATTERN)
    channel: Channel | None = None
    admin_unit: str | None = Field(None, max_length=16, pattern=CODE_PATTERN)
    urgent: Flag | None = None
    overdue: Flag | None = None
    deadline_state: StateName | None = None
    created_from: date | datetime | None = None
    created_to: date | datetime | None = None
    q: str | None = Field(None, max_length=200)

    @field_validator("created_from", "created_to", mode="before")
    @classmethod
    def _when(cls, value: Any) -> date | datetime | None:
        return parse_when(value)


class CountsParams(QueueFilters):
    """The counts' parameters: the queue's filters, and its `status`, checked but
    not applied (every status is counted) and not documented, so that a client
    may send the queue's filters as they are."""

    status: tuple[Status, ...] = ()

    @field_validator("status", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> tuple[Status, ...]:
        return parse_statuses(value)


class QueueParams(CountsParams, PageQuery):
    sort: Sort = "-created_at"


class FeedbackQueueItem(BaseModel):
    """One line of the queue: no contact data (that is in the detail)."""

    id: int
    tracking_code: str
    title: str
    excerpt: str = Field(description="The start of the content, at most 200 characters")
    status: Status
    priority: Priority
    urgent: bool
    channel: Channel
    category: str | None
    agency: str | None
    admin_unit: str | None
    created_at: datetime
    deadline: datetime | None
    is_anonymous: bool
    attachment_count: int
    version: int


class FeedbackQueuePage(BaseModel):
    items: list[FeedbackQueueItem]
    next_cursor: str | None


class QueueCounts(BaseModel):
    """Reports per status within the caller's reach; every status is present."""

    counts: dict[Status, int]
    total: int
