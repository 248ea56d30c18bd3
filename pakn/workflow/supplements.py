"""The citizen answers a request for more information: text and files, and the
report goes back to its handler."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from pakn.attachments.inspect import CleanFile
from pakn.attachments.storage import Storage
from pakn.core.problems import Problem, not_found
from pakn.deadlines.service import resume_clock
from pakn.domain.status import Status
from pakn.domain.workflow import Action, IllegalMove, citizen_supplement
from pakn.models import Attachment, Feedback, FeedbackEvent, Supplement
from pakn.submission.schemas import SupplementCreate, SupplementCreated
from pakn.submission.service import store_files


def nothing_requested() -> Problem:
    return Problem(
        409,
        "no-information-requested",
        "Không có yêu cầu bổ sung",
        "No information was requested",
        "Phản ánh này hiện không cần bổ sung thông tin.",
        "This report is not waiting for more information.",
    )


async def add_supplement(
    feedback_id: int,
    data: SupplementCreate,
    files: tuple[CleanFile, ...],
    *,
    storage: Storage,
    now: datetime,
) -> SupplementCreated:
    stored_keys: list[str] = []
    try:
        async with in_transaction() as connection:
            feedback = await Feedback.select_for_update().using_db(connection).get_or_none(id=feedback_id)
            if feedback is None:
                raise not_found()
            source = Status(feedback.status)
            try:
                target = citizen_supplement(source)
            except IllegalMove:
                raise nothing_requested() from None
            supplement = await Supplement.create(
                using_db=connection, feedback=feedback, content=data.content, created_at=now
            )
            for row in await store_files(files, storage, stored_keys, now):
                await Attachment.create(using_db=connection, feedback=feedback, supplement=supplement, **row.values)
            paused = resume_clock(feedback, now)  # the clock stopped while the citizen was asked
            feedback.status = target
            feedback.version += 1
            feedback.updated_at = now
            await feedback.save(using_db=connection)
            await FeedbackEvent.create(
                using_db=connection,
                feedback=feedback,
                action=Action.SUPPLEMENT.value,
                from_status=source,
                to_status=target,
                details={"supplement_id": supplement.id, **paused},
                is_public=True,
                created_at=now,
            )
    except BaseException:
        for key in stored_keys:
            await storage.delete(key)
        raise
    return SupplementCreated(id=supplement.id, status=target.value, created_at=now)
