"""Reports at chosen instants, moved through the real services, for deadline tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pakn.attachments.storage import LocalStorage
from pakn.models import Feedback
from pakn.submission import service as submission
from pakn.submission.schemas import FeedbackCreate, SupplementCreate
from pakn.workflow.schemas import ActionRequest
from pakn.workflow.service import Actor, perform
from pakn.workflow.supplements import add_supplement
from tests.staff import Staff

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCY = "so-xay-dung"


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=TZ)


async def received(now: datetime, media: Path, **fields: Any) -> Feedback:
    data = FeedbackCreate(
        title=fields.pop("title", "Đèn đường hỏng"),
        content=fields.pop("content", "Đèn đường ở ngõ 12 hỏng đã một tuần, buổi tối rất tối."),
        **fields,
    )
    outcome = await submission.submit(
        submission.Submission(data), storage=LocalStorage(media), server_key=b"k" * 32, now=now
    )
    return await Feedback.get(id=outcome.created.id)


async def act(staff: Staff, feedback_id: int, now: datetime, action: str, **fields: Any) -> Feedback:
    move = ActionRequest.model_validate({"action": action, **fields}).root
    return (await perform(feedback_id, move, Actor(staff.user), None, now)).feedback


async def supplemented(feedback_id: int, now: datetime, media: Path) -> Feedback:
    await add_supplement(
        feedback_id, SupplementCreate(content="Ảnh chụp vị trí đây ạ."), (), storage=LocalStorage(media), now=now
    )
    return await Feedback.get(id=feedback_id)


def local(value: datetime | None) -> datetime | None:
    return value.astimezone(TZ) if value else None
