"""The deadline sweep: a warning before, an escalation after, each exactly once
per report and threshold, however many sweeps run and however they overlap
(on PostgreSQL the overlapping sweeps really run at once); one e-mail per
addressee per sweep, listing the reports."""

from __future__ import annotations

import asyncio

import pytest

from pakn.deadlines import sweep
from pakn.domain.roles import Role
from pakn.models import Agency, DeadlineNotice, Feedback, FeedbackEvent, OutboxMessage, StaffUser
from pakn.settings import Settings
from tests.integration.deadline_helpers import AGENCY, act, at, received
from tests.staff import Staff, make_staff

pytestmark = pytest.mark.usefixtures("clean_db")

AGENCY_MAIL = "sxd@example.vn"
AGENCY_NAME = "Sở Xây dựng"
COORDINATOR_MAIL = "dieuphoi@example.vn"
ASSIGNED = at("2026-03-02", "09:00")  # resolve deadline: Wed 11/3 17:00, due soon from Tue 10/3 17:00
DUE_SOON = at("2026-03-11", "09:00")
OVERDUE = at("2026-03-12", "09:00")


async def staff() -> Staff:
    await make_staff(Role.HANDLER, AGENCY)  # makes the agency
    await Agency.filter(code=AGENCY).update(emails=[AGENCY_MAIL], name=AGENCY_NAME)
    coordinator = await make_staff(Role.COORDINATOR)
    await StaffUser.filter(id=coordinator.user.id).update(email=COORDINATOR_MAIL)
    return coordinator


async def assigned_report(coordinator: Staff, settings: Settings) -> Feedback:
    report = await received(at("2026-02-27"), settings.media_dir)
    return await act(coordinator, report.id, ASSIGNED, "assign", agency=AGENCY)


def code_count(body: str, report: Feedback) -> int:
    return body.count(report.tracking_code)


async def mail() -> list[tuple[str, list[str]]]:
    return [
        (row.kind, row.recipients) for row in await OutboxMessage.filter(kind__startswith="deadline").order_by("id")
    ]


async def test_a_report_due_soon_warns_its_agency_once(settings: Settings) -> None:
    report = await assigned_report(await staff(), settings)
    assert str(await sweep.sweep_deadlines(at("2026-03-10", "16:59"))) == "notices=0 emails=0 skipped=0 failed=0"
    first = await sweep.sweep_deadlines(DUE_SOON)
    again = await sweep.sweep_deadlines(DUE_SOON)
    assert (first.notices, first.emails, again.notices, again.emails) == (1, 1, 0, 0)
    assert await mail() == [("deadline_due_soon", [AGENCY_MAIL])]
    event = await FeedbackEvent.get(feedback_id=report.id, action="deadline_due_soon")
    assert (event.is_public, event.actor, event.actor_user_id) == (False, None, None)
    message = await OutboxMessage.get(kind="deadline_due_soon")
    assert report.tracking_code in message.subject and "17:00 ngày 11/03/2026" in message.body_text


async def test_an_overdue_report_warns_the_agency_and_escalates_to_the_coordinators_once(settings: Settings) -> None:
    report = await assigned_report(await staff(), settings)
    await sweep.sweep_deadlines(DUE_SOON)
    for _ in range(3):
        await sweep.sweep_deadlines(OVERDUE)
    assert await mail() == [
        ("deadline_due_soon", [AGENCY_MAIL]),
        ("deadline_overdue", [AGENCY_MAIL]),
        ("deadline_overdue", [COORDINATOR_MAIL]),
    ]
    escalation = await OutboxMessage.filter(recipients=[COORDINATOR_MAIL]).get()
    assert escalation.subject == f"[PAKN] Phản ánh quá hạn cần đôn đốc: {report.tracking_code}"
    assert "đôn đốc đơn vị xử lý" in escalation.body_text and AGENCY_NAME in escalation.body_text
    notices_ = await DeadlineNotice.filter(feedback_id=report.id).order_by("id").values_list("threshold", flat=True)
    assert notices_ == ["due_soon", "overdue"]
    assert await FeedbackEvent.filter(feedback_id=report.id, action="deadline_overdue").count() == 1


async def test_two_sweeps_at_once_notice_each_report_once(settings: Settings) -> None:
    coordinator = await staff()
    reports = [await assigned_report(coordinator, settings) for _ in range(4)]
    results = await asyncio.gather(*(sweep.sweep_deadlines(OVERDUE) for _ in range(3)))
    assert sum(result.notices for result in results) == 4
    assert sum(result.failed for result in results) == 0
    assert await DeadlineNotice.filter(threshold="overdue").count() == 4
    assert await FeedbackEvent.filter(action="deadline_overdue").count() == 4
    assert await mail() == [("deadline_overdue", [AGENCY_MAIL]), ("deadline_overdue", [COORDINATOR_MAIL])]
    for message in await OutboxMessage.all():
        assert [code_count(message.body_text, report) for report in reports] == [1, 1, 1, 1]
    for report in reports:
        assert await DeadlineNotice.filter(feedback_id=report.id).count() == 1


async def test_an_unassigned_report_overdue_for_assignment_is_the_coordinators_to_act_on(settings: Settings) -> None:
    await staff()
    report = await received(at("2026-03-02", "09:00"), settings.media_dir)
    result = await sweep.sweep_deadlines(at("2026-03-04", "09:00"))
    assert (result.notices, result.emails) == (1, 1)
    assert await mail() == [("deadline_overdue", [COORDINATOR_MAIL])]
    message = await OutboxMessage.get(kind="deadline_overdue")
    assert "hạn giao xử lý" in message.subject and report.tracking_code in message.subject


async def test_no_notice_while_the_citizen_is_asked_or_once_handled(settings: Settings) -> None:
    coordinator = await staff()
    handler = await make_staff(Role.HANDLER, AGENCY)
    waiting = await assigned_report(coordinator, settings)
    await act(handler, waiting.id, at("2026-03-02", "10:00"), "start")
    await act(handler, waiting.id, at("2026-03-03", "10:00"), "request_info", message="Xin thêm ảnh.")
    rejected = await received(at("2026-03-02"), settings.media_dir)
    await act(coordinator, rejected.id, at("2026-03-02", "11:00"), "reject", reason="spam")
    result = await sweep.sweep_deadlines(at("2026-04-30", "09:00"))
    assert result.notices == 0 and await DeadlineNotice.all().count() == 0


async def test_an_extended_deadline_is_a_new_deadline_with_its_own_notices(settings: Settings) -> None:
    coordinator = await staff()
    report = await assigned_report(coordinator, settings)
    await sweep.sweep_deadlines(OVERDUE)
    await act(coordinator, report.id, OVERDUE, "extend", deadline="2026-03-20T17:00:00+07:00", reason="Chờ vật tư")
    assert (await sweep.sweep_deadlines(at("2026-03-13", "09:00"))).notices == 0
    assert (await sweep.sweep_deadlines(at("2026-03-23", "09:00"))).notices == 1
    assert await DeadlineNotice.filter(feedback_id=report.id, threshold="overdue").count() == 2


async def test_one_report_failing_does_not_stop_the_others(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    coordinator = await staff()
    broken, fine = await assigned_report(coordinator, settings), await assigned_report(coordinator, settings)
    real = sweep._record

    async def failing(feedback, *args, **kwargs):  # type: ignore[no-untyped-def]
        if feedback.id == broken.id:
            raise RuntimeError("event details broken")
        return await real(feedback, *args, **kwargs)

    monkeypatch.setattr(sweep, "_record", failing)
    result = await sweep.sweep_deadlines(OVERDUE)
    assert (result.notices, result.failed) == (1, 1)
    agency_mail = await OutboxMessage.get(recipients=[AGENCY_MAIL])
    assert fine.tracking_code in agency_mail.subject and broken.tracking_code not in agency_mail.body_text
    # The failed report's notice and event were rolled back with it: the next sweep tries again.
    assert await DeadlineNotice.filter(feedback_id=broken.id).count() == 0
    assert await FeedbackEvent.filter(feedback_id=broken.id, action="deadline_overdue").count() == 0
    assert await DeadlineNotice.filter(feedback_id=fine.id).count() == 1
    monkeypatch.setattr(sweep, "_record", real)
    assert (await sweep.sweep_deadlines(OVERDUE)).notices == 1
    latest = await OutboxMessage.filter(recipients=[AGENCY_MAIL]).order_by("-id").first()
    assert latest is not None and broken.tracking_code in latest.subject


async def test_the_database_decides_when_two_sweeps_reach_one_report_together(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past the sweeps' turn-taking and the read that skips what was noticed
    # already: only the row lock and the notice's unique key are left to decide.
    report = await assigned_report(await staff(), settings)

    async def nothing(*args: object) -> set[object]:
        return set()

    monkeypatch.setattr(sweep, "_take_turn", nothing)
    monkeypatch.setattr(sweep, "_noticed", nothing)
    results = await asyncio.gather(*(sweep.sweep_deadlines(OVERDUE) for _ in range(4)))
    assert sorted(result.notices for result in results) == [0, 0, 0, 1]
    assert sum(result.skipped for result in results) == 3
    assert sum(result.emails for result in results) == 2
    assert await DeadlineNotice.filter(feedback_id=report.id).count() == 1
    assert await FeedbackEvent.filter(feedback_id=report.id, action="deadline_overdue").count() == 1
    assert len(await mail()) == 2


async def test_a_failure_queueing_the_mail_rolls_back_the_notices_with_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = await assigned_report(await staff(), settings)

    async def broken(*args: object) -> int:
        raise RuntimeError("mail template broken")

    monkeypatch.setattr(sweep, "queue_warnings", broken)
    with pytest.raises(RuntimeError):
        await sweep.sweep_deadlines(OVERDUE)
    assert await DeadlineNotice.filter(feedback_id=report.id).count() == 0
    assert await FeedbackEvent.filter(feedback_id=report.id, action="deadline_overdue").count() == 0
    assert await mail() == []
