"""The deadline sweep: as of `now`, warn about open reports due soon and
escalate those overdue, once per report, threshold and deadline, in one
e-mail per addressee per sweep (pakn/deadlines/notices.py).

A sweep is one transaction: the notice rows, the events and the grouped
e-mails are committed together or not at all. Each report is written in a
savepoint of its own, so one report's failure rolls back only that report
(retried by the next sweep) and its e-mail lists the others.

Exactly once: the notice's unique key (report, threshold, deadline) decides,
and a message lists only the notices its own transaction inserted. Sweeps also
take turns (an advisory lock on PostgreSQL, the write lock on SQLite), so a
second sweep at the same moment (two schedulers, `pakn jobs run` repeated)
waits, then finds everything noticed and queues nothing: one message per
addressee, not one per sweep that raced. A deadline that moves (a pause, an
extension) is a new deadline and gets its own notices.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from pakn.core.rawsql import is_postgres
from pakn.deadlines.notices import Crossing, Threshold, queue_warnings, short_title
from pakn.deadlines.policy import DeadlineState, deadline_state
from pakn.deadlines.service import current_policy
from pakn.domain.status import HANDLED, Status
from pakn.models import DeadlineNotice, Feedback, FeedbackEvent

log = logging.getLogger("pakn.deadlines")
BATCH = 500
# The clock stops while a report waits for the citizen: no notices then.
RUNNING = [status.value for status in Status if status not in HANDLED and status is not Status.INFO_REQUESTED]
THRESHOLDS = {DeadlineState.DUE_SOON: Threshold.DUE_SOON, DeadlineState.OVERDUE: Threshold.OVERDUE}
SWEEP_LOCK = 0x70616B6E_646C  # pg_advisory_xact_lock key: "pakn" "dl"


@dataclass
class SweepResult:
    notices: int = 0
    emails: int = 0
    skipped: int = 0  # noticed already, by this sweep's twin
    failed: int = 0

    def __str__(self) -> str:
        return f"notices={self.notices} emails={self.emails} skipped={self.skipped} failed={self.failed}"


def threshold_of(
    status: str, deadline: datetime | None, due_soon_at: datetime | None, now: datetime
) -> Threshold | None:
    if status not in RUNNING:
        return None
    state = deadline_state(Status(status), deadline, due_soon_at, None, now)
    return THRESHOLDS.get(state) if state else None


async def sweep_deadlines(now: datetime) -> SweepResult:
    result = SweepResult()
    async with in_transaction() as connection:
        await _take_turn(connection)
        crossings: list[Crossing] = []
        async for batch in _candidates(now, connection):
            for feedback in await _to_notice(batch, now, connection):
                crossing = await _notice(feedback, now, connection, result)
                if crossing is not None:
                    crossings.append(crossing)
        result.emails = await queue_warnings(crossings, current_policy().calendar.tz, now, connection)
    return result


async def _take_turn(connection: BaseDBAsyncClient) -> None:
    """Wait for any other sweep to commit, before reading anything."""
    if is_postgres(connection):
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [SWEEP_LOCK])
    else:
        # A write that changes nothing takes SQLite's write lock now, as BEGIN
        # IMMEDIATE would: another process's sweep waits (busy_timeout) here.
        await connection.execute_query("UPDATE deadline_notice SET id = id WHERE 0")


async def _candidates(now: datetime, connection: BaseDBAsyncClient) -> AsyncIterator[list[dict[str, Any]]]:
    """Open, running reports past their due-soon instant, by id in batches."""
    utc = now.astimezone(UTC)  # SQLite compares datetimes as text
    due = Q(due_soon_at__lte=utc) | Q(deadline__lte=utc)
    last = 0
    while True:
        rows = (
            await Feedback.filter(due, status__in=RUNNING, id__gt=last)
            .using_db(connection)
            .order_by("id")
            .limit(BATCH)
            .values("id", "status", "deadline", "due_soon_at")
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


async def _to_notice(batch: list[dict[str, Any]], now: datetime, connection: BaseDBAsyncClient) -> list[Feedback]:
    """The batch's reports with a threshold not noticed yet, locked in id order
    (their state re-read under the lock: a report handled meanwhile drops out)."""
    noticed = await _noticed([row["id"] for row in batch], connection)
    wanted = [
        row["id"]
        for row in batch
        if (threshold := threshold_of(row["status"], row["deadline"], row["due_soon_at"], now)) is not None
        and (row["id"], threshold.value, row["deadline"]) not in noticed
    ]
    if not wanted:
        return []
    return await Feedback.select_for_update().using_db(connection).filter(id__in=wanted).order_by("id")


async def _noticed(ids: list[int], connection: BaseDBAsyncClient) -> set[tuple[int, str, datetime]]:
    """What was noticed already, so that a sweep every few minutes passes over
    the long-overdue without writing."""
    rows = (
        await DeadlineNotice.filter(feedback_id__in=ids)
        .using_db(connection)
        .values_list("feedback_id", "threshold", "deadline")
    )
    return {(feedback_id, threshold, deadline) for feedback_id, threshold, deadline in rows}


async def _notice(
    feedback: Feedback, now: datetime, connection: BaseDBAsyncClient, result: SweepResult
) -> Crossing | None:
    threshold = threshold_of(feedback.status, feedback.deadline, feedback.due_soon_at, now)
    if threshold is None or feedback.deadline is None:
        return None  # moved on since it was read
    try:
        async with connection._in_transaction() as savepoint:
            notice = await _record(feedback, threshold, now, savepoint)
    except IntegrityError:
        result.skipped += 1
        return None
    except Exception:
        log.exception("deadline notice failed", extra={"feedback_id": feedback.id})
        result.failed += 1
        return None
    result.notices += 1
    return Crossing(
        notice_id=notice.id,
        tracking_code=feedback.tracking_code,
        title=short_title(feedback.title, feedback.content),
        deadline=feedback.deadline,
        deadline_kind=feedback.deadline_kind,
        threshold=threshold,
        agency_code=feedback.agency_id,
    )


async def _record(feedback: Feedback, threshold: Threshold, now: datetime, connection: Any) -> DeadlineNotice:
    """The notice (its unique key decides) and the event on the report's history."""
    notice = await DeadlineNotice.create(
        using_db=connection,
        feedback_id=feedback.id,
        threshold=threshold.value,
        deadline=feedback.deadline,
        created_at=now,
    )
    status = Status(feedback.status)
    await FeedbackEvent.create(
        using_db=connection,
        feedback_id=feedback.id,
        action=f"deadline_{threshold.value}",
        from_status=status,
        to_status=status,
        details={"deadline": _iso(feedback.deadline), "kind": feedback.deadline_kind},
        is_public=False,
        actor_user=None,
        actor=None,
        created_at=now,
    )
    return notice


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(current_policy().calendar.tz).isoformat() if value else None
