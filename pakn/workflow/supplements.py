"""The citizen answers a request for more information: text and files, and the
report goes back to its handler, through the workflow like every move."""

from __future__ import annotations

from datetime import datetime

from pakn.attachments import CleanFile, Storage, storing
from pakn.domain.status import Status
from pakn.submission import SupplementCreate, SupplementCreated
from pakn.workflow.commands import Supplement
from pakn.workflow.service import CITIZEN, perform


async def add_supplement(
    feedback_id: int,
    data: SupplementCreate,
    files: tuple[CleanFile, ...],
    *,
    storage: Storage,
    now: datetime,
) -> SupplementCreated:
    async with storing(storage) as stored:
        attachments = tuple(await stored.save_all(files, now))
        moved = await perform(
            feedback_id, Supplement(content=data.content, attachments=attachments), CITIZEN, None, now
        )
    status = Status(moved.feedback.status)
    return SupplementCreated(id=moved.details["supplement_id"], status=status.value, created_at=now)
