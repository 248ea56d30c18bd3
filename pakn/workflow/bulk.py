"""One action on many reports: each succeeds or fails on its own."""

from __future__ import annotations

from datetime import datetime

from pakn.core.problems import Problem
from pakn.workflow.schemas import BulkCommand, BulkResult
from pakn.workflow.service import Actor, perform


async def perform_many(move: BulkCommand, actor: Actor, now: datetime, lang: str) -> list[BulkResult]:
    """Each id in its own transaction, so one refusal does not undo the others.
    The version is not checked: the coordinator acts on the reports as they are."""
    single = move.command()
    results = []
    for feedback_id in dict.fromkeys(move.ids):  # each id once, in the order given
        try:
            moved = await perform(feedback_id, single, actor, None, now)
        except Problem as problem:
            results.append(BulkResult(id=feedback_id, ok=False, error=problem.body(lang)))
        else:
            results.append(BulkResult(id=feedback_id, ok=True, status=str(moved.feedback.status.value)))
    return results
