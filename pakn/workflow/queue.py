"""The staff queue: filtered, searchable, keyset-paginated; and counts per status.

Pages are cut by keyset, never by offset, so a page boundary does not move
while citizens keep submitting: the cursor holds the sort key and the id of
the last row shown, and the next page starts strictly after it.

Sorts: `-created_at` (default, newest first), `created_at`, and `deadline`
(soonest first, reports without a deadline last). Urgent reports are not
pulled to the top of any sort: a mixed sort key would need its own keyset,
so the queue offers `urgent=true` as a filter instead.

Search (`q`) is a LIKE on `search_compact`, the folded copy of tracking code,
title and content written at submission without spaces, so spaced and
run-together queries match alike (pakn/models/search.py); on
PostgreSQL a pg_trgm GIN index serves it (migration 0004). A query that reads
as a tracking code looks up that code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Case, F, Q, Subquery, When
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from pakn.accounts import reach_filter
from pakn.core.pagination import ID, Cursor, Instant, Tag
from pakn.core.query import require_order
from pakn.deadlines import DeadlineState
from pakn.domain.status import HANDLED, Status
from pakn.models import AdminUnit, Attachment, Feedback, StaffUser
from pakn.models.search import text_condition, tracking_code_of
from pakn.workflow.queue_schemas import (
    FeedbackQueueItem,
    FeedbackQueuePage,
    QueueCounts,
    QueueFilters,
    QueueParams,
)

PAGE_DEFAULT = 50
PAGE_MAX = 200
EXCERPT_MAX = 200
HANDLED_VALUES = [status.value for status in HANDLED]
# What a queue item shows: contact data, tokens and the search copy stay unread.
ITEM_COLUMNS = (
    "id", "tracking_code", "title", "content", "status", "priority", "urgent", "channel", "category_id",
    "agency_id", "admin_unit_id", "created_at", "deadline", "is_anonymous", "version",
)  # fmt: skip


@dataclass(frozen=True)
class PageRequest:
    cursor: str | None = None
    limit: int = PAGE_DEFAULT


def filtered(user: StaffUser, params: QueueFilters, now: datetime, tz: ZoneInfo) -> QuerySet[Feedback]:
    """The reports within the caller's reach that match every filter given;
    422 when `created_to` is before `created_from`."""
    rows = Feedback.filter(reach_filter(user))
    for condition in _conditions(params, now, tz):
        rows = rows.filter(condition)
    return rows


def _conditions(params: QueueFilters, now: datetime, tz: ZoneInfo) -> Iterator[Q]:
    start, end = _created_range(params, tz)
    if params.category:
        yield Q(category_id=params.category)
    if params.agency:
        yield Q(agency_id=params.agency)
    if params.channel:
        yield Q(channel=params.channel)
    if params.admin_unit:
        # A commune's code, or a province's: then every commune in it. A
        # subquery rather than a join, so the (admin_unit_id, created_at) index serves.
        units = AdminUnit.filter(Q(code=params.admin_unit) | Q(parent_id=params.admin_unit))
        yield Q(admin_unit_id__in=Subquery(units.values("code")))
    if params.urgent is not None:
        yield Q(urgent=params.urgent)
    if params.overdue is not None:
        yield _state(DeadlineState.OVERDUE, now) if params.overdue else _not_overdue(now)
    if params.deadline_state is not None:
        yield _state(DeadlineState(params.deadline_state), now)
    if start is not None:
        yield Q(created_at__gte=start)
    if end is not None:
        yield Q(created_at__lte=end)
    if params.q:
        yield from _search(params.q)


def _reached(field: str, now: datetime) -> Q:
    """`field` is reached as of the report's own clock: now, or, while it waits
    for the citizen, the moment the information was asked for (the clock stops;
    pakn.deadlines.policy.deadline_state says the same in Python)."""
    until_now: dict[str, Any] = {f"{field}__lte": _utc(now)}
    until_paused: dict[str, Any] = {f"{field}__lte": F("info_requested_at")}
    running = ~Q(status=Status.INFO_REQUESTED.value) & Q(**until_now)
    paused = Q(status=Status.INFO_REQUESTED.value) & Q(**until_paused)
    return running | paused


def _state(state: DeadlineState, now: datetime) -> Q:
    open_with_deadline = ~Q(status__in=HANDLED_VALUES) & Q(deadline__isnull=False)
    overdue = _reached("deadline", now)
    if state is DeadlineState.OVERDUE:
        return open_with_deadline & overdue
    due_soon = Q(due_soon_at__isnull=False) & _reached("due_soon_at", now)
    if state is DeadlineState.DUE_SOON:
        return open_with_deadline & ~overdue & due_soon
    return open_with_deadline & ~overdue & ~due_soon


def _not_overdue(now: datetime) -> Q:
    # Spelled out rather than ~overdue: NOT (NULL < now) is NULL in SQL, which
    # would drop every report without a deadline.
    return Q(deadline__isnull=True) | Q(status__in=HANDLED_VALUES) | ~_reached("deadline", now)


def _created_range(params: QueueFilters, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """`created_from`..`created_to` as UTC instants, both inclusive; 422 when
    the end is before the start (pakn.core.query.require_order)."""
    start = _utc(_start(params.created_from, tz)) if params.created_from is not None else None
    end = _utc(_end(params.created_to, tz)) if params.created_to is not None else None
    require_order(start, end, ("created_from", "created_to"), strict=False)
    return start, end


def _start(value: date | datetime, tz: ZoneInfo) -> datetime:
    """A day starts at local midnight; a naive instant is local time."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    return datetime.combine(value, time.min, tzinfo=tz)


def _end(value: date | datetime, tz: ZoneInfo) -> datetime:
    """`created_to` is inclusive: a day ends at its last microsecond."""
    if isinstance(value, datetime):
        return _start(value, tz)
    return datetime.combine(value, time.max, tzinfo=tz)


def _utc(value: datetime) -> datetime:
    # On SQLite Tortoise keeps times as text and compares text; create() writes
    # them in UTC, so every bound is given in UTC too. Instants out of range
    # once in UTC (year 1 at +07:00) are clamped rather than raising.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)


def _search(raw: str) -> Iterator[Q]:
    """Folded text anywhere in code, title or content, spaced or run together
    ("duongbingap" finds "Đường bị ngập"); or the exact tracking code, however
    it was typed or read out. Text that folds to nothing filters nothing."""
    code = tracking_code_of(raw)
    if code:
        # A code is looked up by its unique index: every report's text starts
        # with "pakn 2026", which no trigram index can narrow down.
        yield Q(tracking_code=code)
        return
    text = text_condition(raw)
    if text is not None:
        yield text


async def list_queue(
    user: StaffUser, params: QueueParams, page: PageRequest, now: datetime, tz: ZoneInfo
) -> FeedbackQueuePage:
    rows = filtered(user, params, now, tz)
    if params.status:
        rows = rows.filter(status__in=[status.value for status in params.status])
    position = _position(page.cursor, params.sort)
    if position is not None:
        rows = rows.filter(_after(params.sort, position))
    found = await _ordered(rows.only(*ITEM_COLUMNS), params.sort).limit(page.limit + 1)
    shown = found[: page.limit]
    counts = await _attachment_counts([row.id for row in shown])
    items = [queue_item(row, counts.get(row.id, 0), tz) for row in shown]
    more = len(found) > page.limit
    return FeedbackQueuePage(items=items, next_cursor=_cursor(params.sort, shown[-1]) if more else None)


async def count_by_status(user: StaffUser, params: QueueFilters, now: datetime, tz: ZoneInfo) -> QueueCounts:
    """One GROUP BY over the same filters as the queue (status aside)."""
    grouped = (
        await filtered(user, params, now, tz).annotate(count=Count("id")).group_by("status").values("status", "count")
    )
    counts = dict.fromkeys(Status, 0)
    for row in grouped:
        counts[Status(row["status"])] = row["count"]
    return QueueCounts(counts=counts, total=sum(counts.values()))


# Keyset pagination ---------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where the previous page ended: its last row's sort key and id. For
    sort=deadline, `at` None is the flag for "inside the no-deadline tail"."""

    at: datetime | None
    id: int


def _ordered(rows: QuerySet[Feedback], sort: str) -> QuerySet[Feedback]:
    if sort == "created_at":
        return rows.order_by("created_at", "id")
    if sort == "deadline":
        # NULLs last on both databases (SQLite sorts them first, PostgreSQL last).
        flagged = rows.annotate(no_deadline=Case(When(deadline__isnull=True, then="1"), default="0"))
        return flagged.order_by("no_deadline", "deadline", "id")
    return rows.order_by("-created_at", "-id")


def _after(sort: str, position: Position) -> Q:
    at, last = position.at, position.id
    if sort == "created_at":
        return Q(created_at__gt=at) | Q(created_at=at, id__gt=last)
    if sort == "deadline":
        if at is None:
            return Q(deadline__isnull=True, id__gt=last)
        return Q(deadline__gt=at) | Q(deadline=at, id__gt=last) | Q(deadline__isnull=True)
    return Q(created_at__lt=at) | Q(created_at=at, id__lt=last)


# One cursor per sort, the sort written in it so that a cursor is never read
# under another; only sort=deadline has rows without a key (the no-deadline tail).
CURSORS = {
    sort: Cursor(Tag(sort), Instant(nullable=sort == "deadline"), ID)
    for sort in ("-created_at", "created_at", "deadline")
}


def _cursor(sort: str, row: Feedback) -> str:
    at: datetime | None = row.deadline if sort == "deadline" else row.created_at
    return CURSORS[sort].encode(sort, at, row.id)


def _position(cursor: str | None, sort: str) -> Position | None:
    """The cursor's position (None without one), or 400 when this sort did not write it."""
    values = CURSORS[sort].decode(cursor)
    return Position(values[1], values[2]) if values else None


# Items ---------------------------------------------------------------------


async def _attachment_counts(ids: list[int]) -> dict[int, int]:
    """Attachments per report, for a whole page in one query."""
    if not ids:
        return {}
    rows = (
        await Attachment.filter(feedback_id__in=ids)
        .annotate(count=Count("id"))
        .group_by("feedback_id")
        .values("feedback_id", "count")
    )
    return {row["feedback_id"]: row["count"] for row in rows}


def excerpt(text: str, limit: int = EXCERPT_MAX) -> str:
    """The start of `text` on one line, cut at a word when one is near."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def queue_item(row: Feedback, attachment_count: int, tz: ZoneInfo) -> FeedbackQueueItem:
    return FeedbackQueueItem(
        id=row.id,
        tracking_code=row.tracking_code,
        title=row.title,
        excerpt=excerpt(row.content),
        status=row.status,
        priority=row.priority,
        urgent=row.urgent,
        channel=row.channel,
        category=row.category_id,
        agency=row.agency_id,
        admin_unit=row.admin_unit_id,
        created_at=row.created_at.astimezone(tz),
        deadline=row.deadline.astimezone(tz) if row.deadline else None,
        is_anonymous=row.is_anonymous,
        attachment_count=attachment_count,
        version=row.version,
    )
