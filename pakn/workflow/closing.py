"""What the scheduler closes on its own, through the workflow like any action
(same event, version and `handled_at` rules), as the system actor:

- resolved reports, some days after the answer was published → closed;
- reports still waiting for the citizen's information after the configured
  working time → rejected as incomplete; the workflow's notice tells the
  citizen, on every channel accepted, like any rejection (pakn.mail.notices).

Each report is moved in its own transaction with the version it was read at,
so a staff action in between (or a second run) wins and this one skips.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pakn.core.problems import Problem
from pakn.deadlines.service import current_policy
from pakn.domain.status import Status
from pakn.models import Feedback
from pakn.workflow.commands import Command, Plain, Reject
from pakn.workflow.service import SYSTEM, perform

log = logging.getLogger("pakn.deadlines")


@dataclass
class CloseResult:
    closed: int = 0
    rejected: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return f"closed={self.closed} rejected={self.rejected} skipped={self.skipped}"


async def auto_close(now: datetime) -> CloseResult:
    result = CloseResult()
    await _close_resolved(now, result)
    await _reject_incomplete(now, result)
    return result


async def _close_resolved(now: datetime, result: CloseResult) -> None:
    days = current_policy().config.close_resolved_after_days
    cutoff = (now - timedelta(days=days)).astimezone(UTC)  # SQLite compares datetimes as text
    rows = (
        await Feedback.filter(status=Status.RESOLVED, resolved_at__lte=cutoff)
        .order_by("id")
        .values_list("id", "version")
    )
    note = f"Tự động đóng sau {days} ngày kể từ khi có kết quả xử lý."
    for feedback_id, version in rows:
        if await _move(feedback_id, version, Plain(action="close", note=note), now):
            result.closed += 1
        else:
            result.skipped += 1


async def _reject_incomplete(now: datetime, result: CloseResult) -> None:
    policy = current_policy()
    waiting = (
        await Feedback.filter(status=Status.INFO_REQUESTED, info_requested_at__lte=now.astimezone(UTC))
        .order_by("id")
        .values_list("id", "version", "info_requested_at")
    )
    span = policy.config.reject_incomplete_after
    note = f"Tự động từ chối: người gửi chưa bổ sung thông tin sau {_span_text(span)}."
    move = Reject(action="reject", reason="incomplete", note=note)
    for feedback_id, version, asked_at in waiting:
        if policy.incomplete_after(asked_at) > now:
            continue
        if await _move(feedback_id, version, move, now):
            result.rejected += 1
        else:
            result.skipped += 1


async def _move(feedback_id: int, version: int, move: Command, now: datetime) -> bool:
    try:
        await perform(feedback_id, move, SYSTEM, version, now)
    except Problem:
        return False  # changed since it was read (412) or no longer allowed (409)
    except Exception:
        log.exception("automatic move failed", extra={"feedback_id": feedback_id, "action": move.action})
        return False
    return True


def _span_text(span: str) -> str:
    """ "10d" → "10 ngày làm việc", "4h" → "4 giờ làm việc"."""
    number, unit = span[:-1].replace(".", ","), span[-1]
    return f"{number} {'ngày' if unit == 'd' else 'giờ'} làm việc"
