"""What the scheduler closes on its own, through the workflow like any action
(same event, version and `handled_at` rules), as the system actor:

- resolved reports, some days after the answer was published → closed;
- reports still waiting for the citizen's information after the configured
  working time → rejected as incomplete, and the citizen told by e-mail.

Each report is moved in its own transaction with the version it was read at,
so a staff action in between (or a second run) wins and this one skips.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from pakn.core.problems import Problem
from pakn.deadlines.service import current_policy
from pakn.domain.status import Status
from pakn.mail import enqueue
from pakn.models import Feedback
from pakn.workflow.commands import Command, Plain, Reject
from pakn.workflow.service import SYSTEM, AfterMove, perform

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
        if await _move(feedback_id, version, move, now, after=_tell_citizen(now)):
            result.rejected += 1
        else:
            result.skipped += 1


async def _move(feedback_id: int, version: int, move: Command, now: datetime, after: AfterMove | None = None) -> bool:
    try:
        await perform(feedback_id, move, SYSTEM, version, now, after=after)
    except Problem:
        return False  # changed since it was read (412) or no longer allowed (409)
    except Exception:
        log.exception("automatic move failed", extra={"feedback_id": feedback_id, "action": move.action})
        return False
    return True


def _tell_citizen(now: datetime) -> AfterMove:
    async def tell(feedback: Feedback, connection: BaseDBAsyncClient) -> None:
        if not feedback.contact_email:
            return
        await enqueue(
            dedupe_key=f"citizen:{feedback.id}:rejected_incomplete",
            kind="citizen_rejected",
            recipients=[feedback.contact_email],
            subject=f"[PAKN] Phản ánh {feedback.tracking_code} không được tiếp nhận",
            text=_incomplete_text(feedback),
            html=None,
            now=now,
            connection=connection,
        )

    return tell


def _incomplete_text(feedback: Feedback) -> str:
    span = _span_text(current_policy().config.reject_incomplete_after)
    return "\n".join(
        [
            f"Kính gửi {feedback.contact_name or 'ông/bà'},",
            "",
            f"Phản ánh {feedback.tracking_code} «{feedback.title or feedback.content[:80]}» đã được đề nghị "
            f"bổ sung thông tin nhưng sau {span} chúng tôi chưa nhận được thông tin bổ sung.",
            "Vì vậy phản ánh không được tiếp nhận (lý do: thiếu thông tin).",
            "Ông/bà có thể gửi phản ánh mới với đầy đủ thông tin bất cứ lúc nào.",
            "",
            "Thư này do hệ thống PAKN gửi tự động, xin không trả lời thư này.",
            "",
        ]
    )


def _span_text(span: str) -> str:
    """ "10d" → "10 ngày làm việc", "4h" → "4 giờ làm việc"."""
    number, unit = span[:-1].replace(".", ","), span[-1]
    return f"{number} {'ngày' if unit == 'd' else 'giờ'} làm việc"
