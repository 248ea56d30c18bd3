"""The staff queue's contract: its query parameters, its items, pages and counts.

Query strings arrive as text, so every parameter is parsed here with the same
Vietnamese/English errors as request bodies (a 422 naming the parameter). An
empty value (`?category=`) means "no filter", as an HTML form sends it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pakn.core.validation import LocalizedValueError, QueryParams
from pakn.domain.channels import Channel, Priority
from pakn.domain.status import Status

STATUS_VALUES = tuple(status.value for status in Status)
# What a category, agency or unit code can look like: anything else names no
# row (and a NUL byte would be refused by PostgreSQL as a 500).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
FLAGS = {"true": True, "1": True, "false": False, "0": False}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# ISO 8601 / RFC 3339 date-times: offset optional (then local time), seconds optional.
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?$")
Sort = Literal["created_at", "-created_at", "deadline"]


def parse_flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if value in FLAGS:
        return FLAGS[value]
    raise LocalizedValueError("Chỉ nhận true, false, 1 hoặc 0.", "Must be true, false, 1 or 0.")


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
    """One status or a comma-separated list, each checked."""
    if value is None or isinstance(value, tuple):
        return value or ()
    items = [item.strip(" ") for item in str(value).split(",")]
    unknown = [item for item in items if item not in STATUS_VALUES]
    if unknown:
        allowed = ", ".join(STATUS_VALUES)
        bad = ", ".join(repr(item) for item in unknown)
        raise LocalizedValueError(
            f"Trạng thái không hợp lệ: {bad}. Giá trị hợp lệ: {allowed}.",
            f"Unknown status: {bad}. Allowed: {allowed}.",
        )
    return tuple(dict.fromkeys(Status(item) for item in items))


class QueueFilters(QueryParams):
    """What both the queue and its counts filter on."""

    # Other parameters (cursor, limit, status for the counts) are read elsewhere.
    model_config = ConfigDict(extra="ignore", frozen=True)

    category: str | None = Field(None, max_length=64, pattern=CODE_PATTERN)
    agency: str | None = Field(None, max_length=64, pattern=CODE_PATTERN)
    channel: Channel | None = None
    admin_unit: str | None = Field(None, max_length=16, pattern=CODE_PATTERN)
    urgent: bool | None = None
    overdue: bool | None = None
    deadline_state: Literal["on_track", "due_soon", "overdue"] | None = None
    created_from: date | datetime | None = None
    created_to: date | datetime | None = None
    q: str | None = Field(None, max_length=200)

    @field_validator("urgent", "overdue", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> bool | None:
        return parse_flag(value)

    @field_validator("created_from", "created_to", mode="before")
    @classmethod
    def _when(cls, value: Any) -> date | datetime | None:
        return parse_when(value)


class QueueParams(QueueFilters):
    status: tuple[Status, ...] = ()
    sort: Sort = "-created_at"

    @field_validator("status", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> tuple[Status, ...]:
        return parse_statuses(value)


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
