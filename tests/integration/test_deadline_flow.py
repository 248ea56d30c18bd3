"""The deadline a report carries as it moves: set at intake and assignment,
paused while the citizen is asked, recounted on a new priority, extended by a
coordinator, kept once handled. Real services, real database, chosen instants."""

from __future__ import annotations

import pytest

from pakn.core.problems import Problem
from pakn.domain.roles import Role
from pakn.models import FeedbackEvent
from pakn.settings import Settings
from tests.integration.deadline_helpers import AGENCY, act, at, local, received, supplemented
from tests.staff import make_staff

pytestmark = pytest.mark.usefixtures("clean_db")


async def test_a_report_received_the_friday_before_tet_is_due_for_assignment_after_it(settings: Settings) -> None:
    report = await received(at("2026-02-13", "10:00"), settings.media_dir)
    assert report.deadline_kind == "assign"
    assert local(report.deadline) == at("2026-02-23", "17:00")
    assert local(report.due_soon_at) == at("2026-02-13", "17:00")


async def test_assignment_starts_the_resolve_deadline_by_priority(settings: Settings) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    normal = await received(at("2026-02-27"), settings.media_dir)
    complex_ = await received(at("2026-02-27"), settings.media_dir)
    normal = await act(coordinator, normal.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    complex_ = await act(
        coordinator, complex_.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY, priority="complex"
    )
    assert (normal.deadline_kind, local(normal.deadline)) == ("resolve", at("2026-03-11", "17:00"))
    assert local(normal.due_soon_at) == at("2026-03-10", "17:00")
    assert local(complex_.deadline) == at("2026-03-23", "17:00")


async def test_the_clock_stops_while_the_citizen_is_asked_and_the_deadline_moves_by_the_pause(
    settings: Settings,
) -> None:
    coordinator, handler = await make_staff(Role.COORDINATOR), await make_staff(Role.HANDLER, AGENCY)
    report = await received(at("2026-02-27"), settings.media_dir)
    await act(coordinator, report.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    await act(handler, report.id, at("2026-03-02", "10:00"), "start")
    await act(handler, report.id, at("2026-03-03", "15:00"), "request_info", message="Xin gửi ảnh chụp.")
    report = await supplemented(report.id, at("2026-03-04", "10:00"), settings.media_dir)
    # Paused 4 office hours (Tue 15–17, Wed 8–10): Wed 11/3 17:00 → Thu 12/3 12:00.
    assert local(report.deadline) == at("2026-03-12", "12:00")
    assert local(report.due_soon_at) == at("2026-03-11", "12:00")
    event = await FeedbackEvent.get(feedback_id=report.id, action="supplement")
    assert event.details["paused_minutes"] == 240


async def test_a_new_priority_recounts_from_the_assignment_and_keeps_the_pause(settings: Settings) -> None:
    coordinator, handler = await make_staff(Role.COORDINATOR), await make_staff(Role.HANDLER, AGENCY)
    report = await received(at("2026-02-27"), settings.media_dir)
    await act(coordinator, report.id, at("2026-03-02", "09:00"), "assign", agency=AGENCY)
    urgent = await act(coordinator, report.id, at("2026-03-02", "09:30"), "set_priority", priority="urgent")
    assert local(urgent.deadline) == at("2026-03-02", "14:00")  # 4 office hours from 09:00, lunch aside
    assert local(urgent.due_soon_at) == at("2026-03-02", "12:00")  # an office hour before: lunch is not counted
    await act(coordinator, report.id, at("2026-03-02", "09:40"), "set_priority", priority="normal")
    await act(handler, report.id, at("2026-03-02", "10:00"), "start")
    await act(handler, report.id, at("2026-03-03", "15:00"), "request_info", message="Xin gửi ảnh chụp.")
    await supplemented(report.id, at("2026-03-04", "10:00"), settings.media_dir)
    complex_ = await act(coordinator, report.id, at("2026-03-04", "11:00"), "set_priority", priority="complex")
    # 15 working days from 2/3 is 23/3 17:00; plus the 4 hours paused → 24/3 12:00.
    assert local(complex_.deadline) == at("2026-03-24", "12:00")


async def test_a_declined_report_is_back_on_its_assign_deadline_from_receipt(settings: Settings) -> None:
    coordinator, handler = await make_staff(Role.COORDINATOR), await make_staff(Role.HANDLER, AGENCY)
    report = await received(at("2026-03-02", "09:00"), settings.media_dir)
    await act(coordinator, report.id, at("2026-03-02", "10:00"), "assign", agency=AGENCY)
    declined = await act(handler, report.id, at("2026-03-04", "10:00"), "decline", note="Không thuộc thẩm quyền")
    assert (declined.deadline_kind, local(declined.deadline)) == ("assign", at("2026-03-03", "17:00"))


async def test_a_handled_report_keeps_its_deadline_and_a_reopened_one_gets_a_new_one(settings: Settings) -> None:
    coordinator, handler = await make_staff(Role.COORDINATOR), await make_staff(Role.HANDLER, AGENCY)
    report = await received(at("2026-03-02", "09:00"), settings.media_dir)
    await act(coordinator, report.id, at("2026-03-02", "10:00"), "assign", agency=AGENCY)
    await act(handler, report.id, at("2026-03-03", "10:00"), "start")
    await act(handler, report.id, at("2026-03-03", "11:00"), "answer", answer="Đã thay bóng đèn mới.")
    resolved = await act(coordinator, report.id, at("2026-03-03", "14:00"), "approve")
    assert local(resolved.deadline) == at("2026-03-11", "17:00")
    assert resolved.handled_at <= resolved.deadline  # on time, as the statistics read it
    reopened = await act(coordinator, report.id, at("2026-03-05", "09:00"), "reopen", note="Đèn lại hỏng")
    assert (reopened.deadline_kind, local(reopened.deadline)) == ("resolve", at("2026-03-16", "17:00"))


async def test_a_coordinator_extends_a_deadline_on_record(settings: Settings) -> None:
    coordinator = await make_staff(Role.COORDINATOR, username="dieu.phoi")
    report = await received(at("2026-03-02", "09:00"), settings.media_dir)
    await act(coordinator, report.id, at("2026-03-02", "10:00"), "assign", agency=AGENCY)
    extended = await act(
        coordinator,
        report.id,
        at("2026-03-05"),
        "extend",
        deadline="2026-03-20T17:00:00+07:00",
        reason="Chờ kết quả giám định",
    )
    assert local(extended.deadline) == at("2026-03-20", "17:00")
    assert local(extended.due_soon_at) == at("2026-03-19", "17:00")
    assert extended.status == "assigned" and extended.deadline_kind == "resolve"
    event = await FeedbackEvent.get(feedback_id=report.id, action="extend")
    assert event.is_public is False and event.actor == "dieu.phoi"
    assert event.details["reason"] == "Chờ kết quả giám định"
    assert event.details["previous_deadline"] == "2026-03-11T17:00:00+07:00"


@pytest.mark.parametrize("deadline", ["2026-03-19T17:00:00+07:00", "2026-03-04T17:00:00+07:00"])
async def test_an_extension_must_be_later_than_now_and_the_current_deadline(settings: Settings, deadline: str) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    report = await received(at("2026-03-02", "09:00"), settings.media_dir)
    await act(coordinator, report.id, at("2026-03-02", "10:00"), "assign", agency=AGENCY)
    await act(coordinator, report.id, at("2026-03-05"), "extend", deadline="2026-03-20T17:00:00+07:00", reason="Lần 1")
    with pytest.raises(Problem) as refused:
        await act(coordinator, report.id, at("2026-03-05"), "extend", deadline=deadline, reason="Lần 2")
    assert refused.value.status == 422


async def test_a_handler_may_not_extend(settings: Settings) -> None:
    coordinator, handler = await make_staff(Role.COORDINATOR), await make_staff(Role.HANDLER, AGENCY)
    report = await received(at("2026-03-02", "09:00"), settings.media_dir)
    await act(coordinator, report.id, at("2026-03-02", "10:00"), "assign", agency=AGENCY)
    with pytest.raises(Problem) as refused:
        await act(
            handler, report.id, at("2026-03-05"), "extend", deadline="2026-03-20T17:00:00+07:00", reason="Xin thêm"
        )
    assert refused.value.status == 403  # the role is the reason
