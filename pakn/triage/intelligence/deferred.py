"""The assessment of new reports, after the citizen's request has committed.

Submission stores a report with `assess_after` set: triage is owed. A worker
in every process that runs jobs (`pakn serve`, `pakn scheduler`) claims due
reports in batches through `pakn.core.leases` (the outbox's mechanism),
computes their search copies, suggestions, duplicates and urgency, and stores
them with a conditional UPDATE that clears `assess_after` only while the
claim is still its own. So each assessment is stored exactly once: a worker
killed mid-batch leaves its claim to expire (`assess_lease_seconds`) and
another takes the reports again; a slow worker whose claim expired finds its
UPDATE matching nothing.

Urgency found here shortens the deadline only while nobody has acted on the
report (still its first version): a coordinator's decision is never
overwritten by a late suggestion, which is kept in `suggestions` all the same.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from pakn.core import leases, rawsql
from pakn.models import Feedback
from pakn.settings import Settings, TriageConfig
from pakn.triage.intelligence import duplicates
from pakn.triage.intelligence.intake import FORMAT, Report, assess, search_fields

log = logging.getLogger("pakn.triage")

ASSESSMENTS = leases.Queue(
    table="feedback",
    due="assess_after <= ?",
    order_by="assess_after, id",
    claim="assess_after = ?, assess_attempts = assess_attempts + 1",
)
FIRST_VERSION = 1  # as submitted: nobody has acted on the report yet
URGENCY_FIELDS = ("urgent", "priority", "deadline", "deadline_kind", "due_soon_at")
COLUMNS = (
    "id", "tracking_code", "title", "content", "category_id", "lat", "lon", "admin_unit_id",
    "created_at", "version", "assess_attempts",
)  # fmt: skip


async def assess_due(now: datetime, config: TriageConfig) -> int:
    """Claim one batch of reports due at `now` and store their assessments;
    how many were claimed (0: nothing was due)."""
    now = now.astimezone(UTC)
    lease = now + timedelta(seconds=config.assess_lease_seconds)
    ids = await leases.claim(ASSESSMENTS, [now], [lease], config.assess_batch_size)
    if not ids:
        return 0
    rows = await Feedback.filter(id__in=ids).order_by("id").values(*COLUMNS)
    nearby = duplicates.Nearby(bound=max(ids) + 1, earliest=min(row["created_at"] for row in rows))
    assessed = []
    for row in rows:
        fields = await _assessed(row, nearby, config)
        if fields is not None:
            assessed.append(_stored_values(row["id"], fields, lease))
        await asyncio.sleep(0)  # a batch is CPU work: let requests in between reports
    if assessed:
        stored_at = rawsql.value(Feedback, "assessed_at", datetime.now(UTC))
        await rawsql.execute_many(STORE, [[stored_at, *values] for values in assessed])
    return len(ids)


async def drain(now: datetime, config: TriageConfig) -> int:
    """Assess everything due at `now`, batch after batch (tests, `pakn jobs run`)."""
    total = 0
    while claimed := await assess_due(now, config):
        total += claimed
    return total


async def _assessed(row: dict[str, Any], nearby: duplicates.Nearby, config: TriageConfig) -> dict[str, Any] | None:
    """The fields to store, or None to leave the report for a later claim."""
    searchable = search_fields(row["tracking_code"], row["title"], row["content"])
    report = Report(
        title=row["title"],
        content=row["content"],
        category=row["category_id"],
        lat=row["lat"],
        lon=row["lon"],
        admin_unit=row["admin_unit_id"],
        id=row["id"],
    )
    try:
        # As of the report's receipt: its duplicate window and urgent deadline count from then.
        return {**searchable, **await assess(report, row["created_at"], nearby)}
    except Exception as exc:
        final = row["assess_attempts"] >= config.assess_max_attempts
        log.warning(
            "assessment failed",
            extra={"fields": {"feedback_id": row["id"], "attempts": row["assess_attempts"], "final": final, "error": repr(exc)}},
        )
        if not final:
            return None
        # Searchable all the same; staff see that the suggestions could not be made.
        return {**searchable, "suggestions": {"format": FORMAT, "error": type(exc).__name__}}


def _stored_values(feedback_id: int, fields: dict[str, Any], lease: datetime) -> list[Any]:
    """The parameters of STORE for one report."""
    urgent = bool(fields.get("urgent"))
    values: list[Any] = [
        rawsql.value(Feedback, name, fields.get(name)) for name in ("search_text", "search_compact", "suggestions")
    ]
    values.append(fields.get("suggested_category_id"))
    for name in URGENCY_FIELDS:
        given = fields.get(name)
        values.extend([urgent, rawsql.value(Feedback, name, given) if given is not None else None])
    values.extend([feedback_id, rawsql.value(Feedback, "assess_after", lease)])
    return values


# One statement for the whole batch. It stores only while the claim made with
# `lease` is still this worker's (assess_after = lease), and urgency only while
# nobody has acted on the report (version = FIRST_VERSION, read before the
# statement's own increment).
STORE = (
    "UPDATE feedback SET assessed_at = ?, search_text = ?, search_compact = ?, suggestions = ?, suggested_category_id = ?, "
    + ", ".join(
        f"{name} = CASE WHEN ? AND version = {FIRST_VERSION} THEN ? ELSE {name} END" for name in URGENCY_FIELDS
    )
    + ", assess_after = NULL, version = version + 1 WHERE id = ? AND assess_after = ?"
)


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
            if claimed < self.config.assess_batch_size:
                with suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.config.assess_poll_seconds)
