"""The deadline sweep: as of `now`, warn about open reports due soon and
escalate those overdue, once per report, threshold and deadline.

Each report is handled in its own transaction, so one failure does not stop
the rest: the notice row, the event and the e-mails are written together or
not at all. The notice's unique key (report, threshold, deadline) is what makes
it happen once: a second sweep at the same moment (two schedulers, `pakn jobs
run` repeated) waits on the report's row lock, then fails to insert the same
notice, rolls back and skips. A deadline that moves (a pause, an extension) is
a new deadline and gets its own notices.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from pakn.deadlines.notices import Threshold, coordinator_emails, queue_deadline_mail
from pakn.deadlines.policy import DeadlineState, deadline_state
from pakn.deadlines.service import current_policy
from pakn.domain.status import HANDLED, Status
from pakn.models import DeadlineNotice, Feedback, FeedbackEvent

log = logging.getLogger("pakn.deadlines")
BATCH = 500
# The clock stops while a report waits for the citizen: no notices then.
RUNNING = [status.value for status in Status if status not in HANDLED and status is not Status.INFO_REQUESTED]
THRESHOLDS = {DeadlineState.DUE_SOON: Threshold.DUE_SOON, DeadlineState.OVERDUE: Threshold.OVERDUE}


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


async def sweep(now: datetime) -> SweepResult:
    result = SweepResult()
    coordinators = await coordinator_emails()
    async for batch in _candidates(now):
        noticed = await _noticed([row["id"] for row in batch])
        for row in batch:
            threshold = threshold_of(row["status"], row["deadline"], row["due_soon_at"], now)
            if threshold is not None and (row["id"], threshold.value, row["deadline"]) not in noticed:
                await _notice(row["id"], now, coordinators, result)
    return result


async def _candidates(now: datetime) -> AsyncIterator[list[dict[str, Any]]]:
    """Open, running reports past their due-soon instant, by id in batches."""
    utc = now.astimezone(UTC)  # SQLite compares datetimes as text
    due = Q(due_soon_at__lte=utc) | Q(deadline__lte=utc)
    last = 0
    while True:
        rows = (
            await Feedback.filter(due, status__in=RUNNING, id__gt=last)
            .order_by("id")
            .limit(BATCH)
            .values("id", "status", "deadline", "due_soon_at")
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


async def _noticed(ids: list[int]) -> set[tuple[int, str, datetime]]:
    """What was noticed already, so that a sweep every few minutes passes over
    the long-overdue without a transaction each."""
    rows = await DeadlineNotice.filter(feedback_id__in=ids).values_list("feedback_id", "threshold", "deadline")
    return {(feedback_id, threshold, deadline) for feedback_id, threshold, deadline in rows}


async def _notice(feedback_id: int, now: datetime, coordinators: list[str], result: SweepResult) -> None:
    try:
        async with in_transaction() as connection:
            feedback = await Feedback.select_for_update().using_db(connection).get_or_none(id=feedback_id)
            threshold = (
                threshold_of(feedback.status, feedback.deadline, feedback.due_soon_at, now) if feedback else None
            )
            if feedback is None or threshold is None:
                return  # moved on since it was read
            await _record(feedback, threshold, now, connection)
            emails = await queue_deadline_mail(
                feedback, threshold, coordinators, current_policy().calendar.tz, now, connection
            )
    except IntegrityError:
        result.skipped += 1
        return
    except Exception:
        log.exception("deadline notice failed", extra={"feedback_id": feedback_id})
        result.failed += 1
        return
    result.notices += 1
    result.emails += emails


async def _record(feedback: Feedback, threshold: Threshold, now: datetime, connection: Any) -> None:
    """The notice (its unique key decides) and the event on the report's history."""
    await DeadlineNotice.create(
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


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(current_policy().calendar.tz).isoformat() if value else None
