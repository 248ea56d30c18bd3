"""What the scheduler closes on its own: resolved reports after 14 days, and
reports left waiting for the citizen's information for 10 working days
(rejected as incomplete, the citizen told once). Through the workflow, as the
system: same events, versions and handled_at as a staff action."""

from __future__ import annotations

import pytest

from pakn.domain.roles import Role
from pakn.models import Feedback, FeedbackEvent, OutboxMessage
from pakn.settings import Settings
from pakn.workflow.closing import auto_close
from tests.integration.deadline_helpers import AGENCY, act, at, received
from tests.staff import make_staff

pytestmark = pytest.mark.usefixtures("clean_db")


async def resolved_report(settings: Settings, resolved: str) -> Feedback:
    coordinator, handler = await make_staff(Role.COORDINATOR), await make_staff(Role.HANDLER, AGENCY)
    report = await received(at("2026-03-02", "08:30"), settings.media_dir)
    await act(coordinator, report.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    await act(handler, report.id, at("2026-03-02", "09:30"), "start")
    await act(handler, report.id, at("2026-03-02", "10:00"), "answer", answer="Đã sửa xong đèn đường.")
    return await act(coordinator, report.id, at(resolved, "10:00"), "approve")


async def waiting_report(settings: Settings, asked: str, email: str | None = "an@example.vn") -> Feedback:
    coordinator, handler = await make_staff(Role.COORDINATOR), await make_staff(Role.HANDLER, AGENCY)
    contact = {"name": "Nguyễn Văn An", "email": email} if email else None
    report = await received(at("2026-02-27", "08:30"), settings.media_dir, contact=contact)
    await act(coordinator, report.id, at("2026-03-02", "08:00"), "assign", agency=AGENCY)
    await act(handler, report.id, at("2026-03-02", "08:10"), "start")
    return await act(handler, report.id, at(asked, "10:00"), "request_info", message="Xin gửi ảnh chụp.")


async def test_a_resolved_report_is_closed_fourteen_days_after_its_answer(settings: Settings) -> None:
    report = await resolved_report(settings, "2026-03-03")
    assert (await auto_close(at("2026-03-17", "09:59"))).closed == 0
    result = await auto_close(at("2026-03-17", "10:00"))
    assert (result.closed, str(result)) == (1, "closed=1 rejected=0 skipped=0")
    closed = await Feedback.get(id=report.id)
    assert (closed.status, closed.version) == ("closed", report.version + 1)
    assert closed.closed_at == at("2026-03-17", "10:00")
    assert closed.handled_at == report.handled_at  # handled when resolved, not when closed
    event = await FeedbackEvent.get(feedback_id=report.id, action="close")
    assert (event.actor, event.actor_user_id, event.is_public) == (None, None, True)
    assert "14 ngày" in event.note
    assert (await auto_close(at("2026-03-18"))).closed == 0


async def test_a_report_waiting_ten_working_days_for_its_citizen_is_rejected_and_the_citizen_told_once(
    settings: Settings,
) -> None:
    report = await waiting_report(settings, "2026-03-03")  # 10 working days: due Tue 17/3 17:00
    assert (await auto_close(at("2026-03-17", "16:59"))).rejected == 0
    assert (await auto_close(at("2026-03-17", "17:00"))).rejected == 1
    assert (await auto_close(at("2026-03-18"))).rejected == 0
    rejected = await Feedback.get(id=report.id)
    assert (rejected.status, rejected.reject_reason) == ("rejected", "incomplete")
    assert rejected.handled_at == at("2026-03-17", "17:00")
    told = await OutboxMessage.filter(kind="citizen_rejected")
    assert len(told) == 1 and told[0].recipients == ["an@example.vn"]
    assert report.tracking_code in told[0].subject and "chưa nhận được thông tin bổ sung" in told[0].body_text
    assert await FeedbackEvent.filter(feedback_id=report.id, action="reject").count() == 1


async def test_without_an_address_the_report_is_still_rejected(settings: Settings) -> None:
    report = await waiting_report(settings, "2026-03-03", email=None)
    assert (await auto_close(at("2026-03-18"))).rejected == 1
    assert (await Feedback.get(id=report.id)).status == "rejected"
    assert await OutboxMessage.filter(kind="citizen_rejected").count() == 0


async def test_the_waiting_time_counts_working_days_across_tet(settings: Settings) -> None:
    report = await waiting_report(settings, "2026-03-03")
    await Feedback.filter(id=report.id).update(info_requested_at=at("2026-02-13", "10:00"))
    assert (await auto_close(at("2026-03-06", "16:00"))).rejected == 0
    assert (await auto_close(at("2026-03-06", "17:00"))).rejected == 1
