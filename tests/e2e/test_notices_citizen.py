"""E-mail to the citizen, queued in the transaction of the change: received,
each step the citizen's history shows, more information requested, answered;
nothing when the change fails or the citizen gave no address. Every channel:
tests/integration/test_citizen_notices.py."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from tortoise.exceptions import IntegrityError

from pakn.domain.roles import Role
from pakn.mail import notices
from pakn.models import Feedback, OutboxMessage, Rating
from pakn.submission import service as submission_service
from pakn.submission.schemas import FeedbackCreate
from pakn.submission.write import Row
from pakn.workflow import service as triage_service
from tests.e2e.workflow_helpers import act, act_ok, citizen_submits
from tests.factories import feedback_body
from tests.staff import make_staff

AGENCY = "so-xay-dung"


async def outbox(kind: str | None = None) -> list[OutboxMessage]:
    rows = OutboxMessage.all().order_by("id")
    return await (rows.filter(kind=kind) if kind else rows)


async def test_the_citizen_is_told_the_tracking_code_when_the_report_is_received(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client)
    [row] = await outbox()
    assert row.kind == "citizen_received" and row.recipients == ["an@example.vn"]
    assert row.dedupe_key == f"citizen:{created['tracking_code']}:received:v1:email"
    assert row.subject == f"[PAKN] Đã tiếp nhận phản ánh {created['tracking_code']}"
    assert created["tracking_code"] in row.body_text and "Kính gửi Nguyễn Văn An" in row.body_text
    assert created["tracking_code"] in row.body_html and row.body_html.startswith("<!DOCTYPE html>")
    assert created["access_token"] not in row.body_text + row.body_html


async def test_a_retried_submission_queues_one_notice(client: httpx.AsyncClient) -> None:
    body, key = feedback_body(), {"Idempotency-Key": "f3a3c1de-2f5b-4f0e-9d55-6a8c1b9e7a10"}
    first = await client.post("/api/v1/feedback", json=body, headers=key)
    again = await client.post("/api/v1/feedback", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert len(await outbox()) == 1


async def test_no_notice_without_a_contact_address(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client, contact={"name": "An", "phone": "0912345678"})
    handler = await make_staff(Role.HANDLER, AGENCY)
    coordinator = await make_staff(Role.COORDINATOR)
    await act_ok(client, coordinator, created["id"], "assign", agency=AGENCY)
    await act_ok(client, handler, created["id"], "start")
    await act_ok(client, handler, created["id"], "request_info", message="Xin gửi thêm ảnh.")
    assert await outbox() == []


async def test_the_citizen_gets_the_question_and_later_the_published_answer(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    handler = await make_staff(Role.HANDLER, AGENCY)
    created = await citizen_submits(client, title="Cống <b>tắc</b> & ngập")
    fid = created["id"]
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY)
    await act_ok(client, handler, fid, "start")
    asked = await act_ok(client, handler, fid, "request_info", message="Xin gửi ảnh chụp rõ vị trí ngập.")
    [question] = await outbox("citizen_info_requested")
    assert question.dedupe_key == f"citizen:{fid}:info_requested:v{asked['version']}:email"
    assert "Xin gửi ảnh chụp rõ vị trí ngập." in question.body_text
    assert "Cống &lt;b&gt;tắc&lt;/b&gt; &amp; ngập" in question.body_html  # autoescaped
    assert "Cống <b>tắc</b> & ngập" in question.body_text  # plain text is not escaped
    await Feedback.filter(id=fid).update(status="in_progress")  # as the citizen's supplement would
    await act_ok(client, handler, fid, "answer", answer="Đã nạo vét cống, đường hết ngập.")
    assert await outbox("citizen_answered") == []  # waiting for approval: not published yet
    await act_ok(client, coordinator, fid, "approve")
    [answer] = await outbox("citizen_answered")
    assert answer.subject == f"[PAKN] Phản ánh {created['tracking_code']} đã có kết quả xử lý"
    assert "Đã nạo vét cống, đường hết ngập." in answer.body_text and "Đã nạo vét cống" in answer.body_html
    assert [row.kind for row in await outbox()] == [
        "citizen_received",
        "citizen_assigned",
        "citizen_in_progress",
        "citizen_info_requested",
        "citizen_answered",
    ]


async def test_an_action_that_fails_after_queueing_queues_nothing(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    handler = await make_staff(Role.HANDLER, AGENCY)
    created = await citizen_submits(client)
    fid = created["id"]
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY)
    await act_ok(client, handler, fid, "start")

    async def queue_then_fail(*args: object) -> bool:
        assert await notices.notify_citizen(*args)  # type: ignore[arg-type]
        raise RuntimeError("the transaction fails after the notice was queued")

    monkeypatch.setattr(triage_service, "notify_citizen", queue_then_fail)
    with pytest.raises(RuntimeError):
        await act(client, handler, fid, "request_info", message="Xin gửi thêm ảnh.")
    assert [row.kind for row in await outbox()] == ["citizen_received", "citizen_assigned", "citizen_in_progress"]
    assert (await Feedback.get(id=fid)).status == "in_progress"


async def test_a_submission_that_fails_after_queueing_queues_nothing(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, app: object
) -> None:
    real_insert = submission_service.insert_report

    async def with_a_row_that_fails(model: object, values: object, rows: list[Row]) -> int:
        # The notice is among `rows`; a second rating for the report breaks its
        # one-rating key after it, in the same write.
        assert any(row.model is OutboxMessage for row in rows)
        rating = Row(Rating, {"score": 5, "created_at": datetime.now(UTC)})
        return await real_insert(model, values, [*rows, rating, rating])  # type: ignore[arg-type]

    monkeypatch.setattr(submission_service, "insert_report", with_a_row_that_fails)
    submission = submission_service.Submission(data=FeedbackCreate.model_validate(feedback_body()))
    with pytest.raises(IntegrityError):
        await submission_service.submit(
            submission,
            storage=app.state.storage,
            server_key=b"k",
            now=datetime.now(UTC),  # type: ignore[attr-defined]
        )
    assert await outbox() == [] and await Feedback.all().count() == 0
