"""The assessment of new reports, after the citizen's request has committed.

Submission writes a `DeferredTask` of kind "assess" beside the report, in the
same statement: triage is owed. A worker in every process that runs jobs
(`pakn serve`, `pakn scheduler`) claims due tasks in batches through
`pakn.core.leases` (the outbox's mechanism), computes the reports' search
copies, suggestions, duplicates and urgency, and in ONE transaction stores
them and deletes the tasks, each only while the task still carries the lease
this worker set. So each assessment is stored exactly once: a worker killed
mid-batch leaves its tasks to come due again when the lease ends
(`assess_lease_seconds`), and a slow worker whose lease expired (another has
claimed the task since) stores nothing. The queue lives in its own small
table, so claiming never rewrites the wide, much-indexed report rows.

Urgency found here shortens the deadline only while nobody has acted on the
report (still its first version): a coordinator's decision is never
overwritten by a late suggestion, which is kept in `suggestions` all the same.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from pakn.core import leases, rawsql
from pakn.intelligence import duplicates
from pakn.intelligence.intake import FORMAT, Report, assess, scope_of, search_fields
from pakn.models import DeferredTask, Feedback
from pakn.settings import Settings, TriageConfig

log = logging.getLogger("pakn.workflow")

KIND = "assess"
ASSESSMENTS = leases.Queue(
    table="deferred_task",
    due=f"kind = '{KIND}' AND due_at <= ?",
    order_by="due_at, id",
    claim="due_at = ?, attempts = attempts + 1",
)
PARALLEL_QUERIES = 4  # candidate queries of one batch in flight at once (the pool has more)
FIRST_VERSION = 1  # as submitted: nobody has acted on the report yet
URGENCY_FIELDS = ("urgent", "priority", "deadline", "deadline_kind", "due_soon_at")
COLUMNS = (
    "id", "tracking_code", "title", "content", "category_id", "lat", "lon", "admin_unit_id", "address", "created_at",
)  # fmt: skip


def owed_assessment(now: datetime) -> dict[str, Any]:
    """The task row a new report carries (its `subject_id` is the report's id)."""
    return {"kind": KIND, "due_at": now, "attempts": 0, "created_at": now}


async def is_pending(feedback_id: int) -> bool:
    return await DeferredTask.exists(kind=KIND, subject_id=feedback_id)


async def assess_due(now: datetime, config: TriageConfig) -> int:
    """Claim one batch of assessments due at `now` and store them; how many
    were claimed (0: nothing was due)."""
    now = now.astimezone(UTC)
    lease = now + timedelta(seconds=config.assess_lease_seconds)
    ids = await leases.claim(ASSESSMENTS, [now], [lease], config.assess_batch_size, returning="subject_id")
    if not ids:
        return 0
    attempts = dict(await DeferredTask.filter(kind=KIND, subject_id__in=ids).values_list("subject_id", "attempts"))
    rows = await Feedback.filter(id__in=ids).order_by("id").values(*COLUMNS)
    assessed: list[list[Any]] = []
    if rows:
        earliest = min(row["created_at"] for row in rows)
        nearby = duplicates.Nearby(bound=max(ids) + 1, earliest=earliest)
        places = [((row["lat"], row["lon"], row["admin_unit_id"]), row["created_at"]) for row in rows]
        await nearby.prefetch(places, scope_of(config), PARALLEL_QUERIES)
        turn = Turn(lag=(now - earliest).total_seconds())
        for row in rows:
            fields = await _assessed(row, attempts.get(row["id"], 1), nearby, config)
            if fields is not None:
                assessed.append(_stored_values(row["id"], fields))
            await turn.share()
    gone = sorted(set(ids) - {row["id"] for row in rows})  # a task whose report no longer exists
    await _store(assessed, [values[-1] for values in assessed] + gone, lease)
    return len(ids)


class Turn:
    """How long the assessment keeps the event loop before letting requests in.

    In a process that also serves requests, a batch is CPU work that would
    hold every request behind it; yielding after each report instead lets a
    busy server starve its own assessments (each yield waits behind every
    request in flight). So the turn grows with the lag: about a millisecond
    while assessments keep up, up to `MAX_TURN` when they fall seconds behind,
    which trades a little request latency for an assessment lag that stays
    bounded under a flood (bench/README.md)."""

    MIN_TURN = 0.001
    MAX_TURN = 0.008
    PER_SECOND_BEHIND = 0.002

    def __init__(self, lag: float) -> None:
        self.length = min(self.MAX_TURN, self.MIN_TURN + max(0.0, lag) * self.PER_SECOND_BEHIND)
        self.ends = time.monotonic() + self.length

    async def share(self) -> None:
        if time.monotonic() >= self.ends:
            await asyncio.sleep(0)
            self.ends = time.monotonic() + self.length


async def drain(now: datetime, config: TriageConfig) -> int:
    """Assess everything due at `now`, batch after batch (tests, `pakn jobs run`)."""
    total = 0
    while claimed := await assess_due(now, config):
        total += claimed
    return total


async def _assessed(
    row: dict[str, Any], attempts: int, nearby: duplicates.Nearby, config: TriageConfig
) -> dict[str, Any] | None:
    """The fields to store, or None to leave the report for a later claim."""
    searchable = search_fields(row["tracking_code"], row["title"], row["content"])
    report = Report(
        title=row["title"],
        content=row["content"],
        category=row["category_id"],
        lat=row["lat"],
        lon=row["lon"],
        admin_unit=row["admin_unit_id"],
        address=row["address"],
        id=row["id"],
    )
    try:
        # As of the report's receipt: its duplicate window and urgent deadline count from then.
        return {**searchable, **await assess(report, row["created_at"], nearby)}
    except Exception as exc:
        final = attempts >= config.assess_max_attempts
        log.warning(
            "assessment failed",
            extra={"fields": {"feedback_id": row["id"], "attempts": attempts, "final": final, "error": repr(exc)}},
        )
        if not final:
            return None
        # Searchable all the same; staff see that the suggestions could not be made.
        return {**searchable, "suggestions": {"format": FORMAT, "error": type(exc).__name__}}


def _stored_values(feedback_id: int, fields: dict[str, Any]) -> list[Any]:
    """The parameters of STORE for one report, but the first (the time) and
    the last two (the task's lease)."""
    urgent = bool(fields.get("urgent"))
    values: list[Any] = [
        rawsql.value(Feedback, name, fields.get(name)) for name in ("search_text", "search_compact", "suggestions")
    ]
    values.append(fields.get("suggested_category_id"))
    values.append(fields.get("admin_unit_id"))
    for name in URGENCY_FIELDS:
        given = fields.get(name)
        values.extend([urgent, rawsql.value(Feedback, name, given) if given is not None else None])
    values.append(feedback_id)
    return values


# Stores only while the task still carries the lease this worker set, and
# urgency only while nobody has acted on the report (version = FIRST_VERSION,
# read before the statement's own increment).
STORE = (
    "UPDATE feedback SET assessed_at = ?, search_text = ?, search_compact = ?, suggestions = ?, "
    "suggested_category_id = ?, admin_unit_id = COALESCE(admin_unit_id, ?), "
    + ", ".join(f"{name} = CASE WHEN ? AND version = {FIRST_VERSION} THEN ? ELSE {name} END" for name in URGENCY_FIELDS)
    + f", version = version + 1 WHERE id = ? AND EXISTS (SELECT 1 FROM deferred_task "
    f"WHERE kind = '{KIND}' AND subject_id = ? AND due_at = ?)"
)
DONE = f"DELETE FROM deferred_task WHERE kind = '{KIND}' AND subject_id = ? AND due_at = ?"


async def _store(assessed: list[list[Any]], done: list[int], lease: datetime) -> None:
    """The assessments and the end of their tasks, in one transaction."""
    if not done:
        return
    stored_at = rawsql.value(Feedback, "assessed_at", datetime.now(UTC))
    held = rawsql.value(DeferredTask, "due_at", lease)
    async with in_transaction() as transaction:
        if assessed:
            rows = [[stored_at, *values, values[-1], held] for values in assessed]
            await rawsql.execute_many(STORE, rows, transaction)
        await rawsql.execute_many(DONE, [[subject, held] for subject in done], transaction)


class Worker:
    """The loop that keeps assessments flowing in a running process."""

    def __init__(self, settings: Settings) -> None:
        self.config = settings.triage
        self.tz = settings.tz
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="triage-assessments")

    async def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._task is not None:
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._task, timeout)

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                claimed = await assess_due(datetime.now(self.tz), self.config)
            except Exception as exc:  # the database is away: try again after a pause
                log.warning("assessment batch failed", extra={"fields": {"error": repr(exc)}})
                claimed = 0
            if not claimed:  # idle: look again after a pause; busy: claim the next batch at once
                with suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.config.assess_poll_seconds)
