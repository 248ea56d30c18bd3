"""The folded search copy written at submission, and the queue's search over it,
on the real database (LIKE semantics differ between SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pakn.attachments.storage import LocalStorage
from pakn.domain import tracking
from pakn.domain.roles import Role
from pakn.models import Feedback, StaffUser
from pakn.settings import Settings
from pakn.submission import service
from pakn.submission.schemas import FeedbackCreate
from pakn.workflow import queue
from pakn.workflow.queue_schemas import QueueParams
from tests.assessing import assessed
from tests.conftest import clear_written_tables

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EVERYONE = StaffUser(role=Role.COORDINATOR)  # reach: all reports; never saved


@pytest.fixture(autouse=True)
async def empty_tables(database: Settings) -> AsyncIterator[None]:
    yield
    await clear_written_tables(database)


async def submitted(tmp_path: Path, title: str, content: str) -> Feedback:
    data = FeedbackCreate(title=title, content=content)
    outcome = await service.submit(
        service.Submission(data), storage=LocalStorage(tmp_path), server_key=b"k" * 32, now=datetime.now(TZ)
    )
    await assessed()  # what the worker does just after the commit
    return await Feedback.get(id=outcome.created.id)


async def found(q: str) -> list[str]:
    rows = queue.filtered(EVERYONE, QueueParams(q=q), datetime.now(TZ), TZ)
    return sorted(await rows.values_list("title", flat=True))


async def test_a_submission_stores_its_code_title_and_content_folded(tmp_path: Path) -> None:
    feedback = await submitted(tmp_path, "Đường bị NGẬP", "Nước dâng cao, xe không qua được!")
    code = feedback.tracking_code.lower().replace("-", " ")
    assert feedback.search_text == f"{code} duong bi ngap nuoc dang cao xe khong qua duoc"


async def test_the_search_is_blind_to_case_and_diacritics(tmp_path: Path) -> None:
    await submitted(tmp_path, "Đường bị ngập", "Nước dâng cao sau cơn mưa lớn.")
    await submitted(tmp_path, "Rác thải", "Rác để lâu ngày ở đầu ngõ.")
    for query in ("duong bi ngap", "ĐƯỜNG BỊ NGẬP", "mua lon", "NGÕ"):
        assert len(await found(query)) == 1, query
    assert await found("duong bi ngap") == ["Đường bị ngập"]


async def test_like_wildcards_in_the_query_match_only_themselves(tmp_path: Path) -> None:
    await submitted(tmp_path, "Có gạch dưới", "Mã hồ sơ ma_so 12 bị trả lại.")
    await submitted(tmp_path, "Không gạch", "Mã hồ sơ maxso 12 bị trả lại.")
    assert await found("ma_so") == ["Có gạch dưới"]
    assert await found("m%so") == []  # % folds to a space: "m so" is nowhere


async def test_a_tracking_code_is_found_however_it_was_typed(tmp_path: Path) -> None:
    wanted = await submitted(tmp_path, "Cần tìm", "Đèn đường hỏng cả tuần nay rồi.")
    await submitted(tmp_path, "Khác", "Đèn đường hỏng cả tuần nay rồi.")
    spoken = wanted.tracking_code.lower().replace("0", "o").replace("1", "l")
    assert tracking.normalise_tracking_code(spoken) == wanted.tracking_code
    assert await found(spoken) == ["Cần tìm"]
    assert await found(wanted.tracking_code) == ["Cần tìm"]
