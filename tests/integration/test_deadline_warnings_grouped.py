"""A flood of reports crossing a threshold in one sweep: one e-mail per
addressee listing them (capped, the rest counted), the per-report notices and
events still one each, and nothing twice however many sweeps run at once."""

from __future__ import annotations

import asyncio
import re

import pytest

from pakn.deadlines import notices, sweep
from pakn.domain.roles import Role
from pakn.models import Agency, DeadlineNotice, Feedback, FeedbackEvent, OutboxMessage, StaffUser
from pakn.settings import Settings
from tests.integration.deadline_helpers import AGENCY, act, at, received
from tests.staff import Staff, make_staff

pytestmark = pytest.mark.usefixtures("clean_db")

AGENCY_MAIL = "sxd@example.vn"
COORDINATOR_MAIL = "dieuphoi@example.vn"
ASSIGNED = at("2026-03-02", "09:00")  # resolve deadline: Wed 11/3 17:00, due soon from Tue 10/3 17:00
DUE_SOON = at("2026-03-11", "09:00")
OVERDUE = at("2026-03-12", "09:00")
CODE = re.compile(r"PAKN-\d{4}-[A-Z0-9]+")


async def staff() -> Staff:
    await make_staff(Role.HANDLER, AGENCY)
    await Agency.filter(code=AGENCY).update(emails=[AGENCY_MAIL], name="Sở Xây dựng")
    coordinator = await make_staff(Role.COORDINATOR)
    await StaffUser.filter(id=coordinator.user.id).update(email=COORDINATOR_MAIL)
    return coordinator


async def flood(coordinator: Staff, settings: Settings, count: int, assigned: str = "2026-03-02") -> list[str]:
    """`count` reports assigned at the same instant: one through the services,
    the rest copies of it (a spam flood), as fast as a test can make them."""
    report = await received(at("2026-02-27"), settings.media_dir, title="Tin rác 000")
    report = await act(coordinator, report.id, at(assigned, "09:00"), "assign", agency=AGENCY)
    tag = assigned.replace("-", "")[-4:]
    # Codes in one series, so that listing them in code order is known in advance (a
    # random first code sorting after the copies' "Z…" made this test fail 1 run in ~30).
    first = f"PAKN-2026-Z{tag}0000"
    await Feedback.filter(id=report.id).update(tracking_code=first)
    row = (await Feedback.filter(id=report.id).values())[0]
    del row["id"]
    copies = [
        Feedback(**{**row, "tracking_code": f"PAKN-2026-Z{tag}{n:04d}", "title": f"Tin rác {n:03d}"})
        for n in range(1, count)
    ]
    await Feedback.bulk_create(copies, batch_size=200)
    return [first, *(copy.tracking_code for copy in copies)]


async def messages(recipient: str) -> list[OutboxMessage]:
    return list(await OutboxMessage.filter(recipients=[recipient]).order_by("id"))


async def test_three_hundred_reports_due_soon_make_one_message_per_addressee(settings: Settings) -> None:
    codes = await flood(await staff(), settings, 300)
    result = await sweep.sweep_deadlines(DUE_SOON)
    assert (result.notices, result.emails, result.failed) == (300, 1, 0)
    assert await DeadlineNotice.filter(threshold="due_soon").count() == 300
    events = await FeedbackEvent.filter(action="deadline_due_soon").values_list("feedback_id", flat=True)
    assert len(events) == len(set(events)) == 300
    [message] = await messages(AGENCY_MAIL)
    assert await OutboxMessage.all().count() == 1  # due soon: the coordinators are not troubled
    assert message.kind == "deadline_due_soon"
    assert message.subject == "[PAKN] Cảnh báo thời hạn – 300 phản ánh sắp đến hạn"
    listed = CODE.findall(message.body_text)
    assert len(listed) == len(set(listed)) == notices.MAX_ROWS == 200
    assert listed == sorted(codes)[:200]  # one deadline: by tracking code
    assert "SẮP ĐẾN HẠN (300)" in message.body_text and "… và 100 phản ánh sắp đến hạn khác." in message.body_text
    assert "17:00 ngày 11/03/2026" in message.body_text and "Tin rác 000" in message.body_text
    assert CODE.findall(message.body_html or "") == listed
    again = await sweep.sweep_deadlines(DUE_SOON)
    later = await sweep.sweep_deadlines(at("2026-03-11", "09:05"))
    assert (again.notices, again.emails, later.notices, later.emails) == (0, 0, 0, 0)
    assert await OutboxMessage.all().count() == 1


async def test_every_report_is_listed_when_the_list_is_under_the_cap(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "MAX_ROWS", 1000)
    codes = await flood(await staff(), settings, 300)
    await sweep.sweep_deadlines(DUE_SOON)
    [message] = await messages(AGENCY_MAIL)
    assert sorted(CODE.findall(message.body_text)) == sorted(codes)
    assert "khác." not in message.body_text and "Thư này liệt kê" not in message.body_text


async def test_overdue_reports_come_first_then_by_deadline(settings: Settings) -> None:
    coordinator = await staff()
    later = await flood(coordinator, settings, 2, assigned="2026-03-03")  # due Thu 12/3 17:00: due soon
    earlier = await flood(coordinator, settings, 2, assigned="2026-03-02")  # due Wed 11/3 17:00: overdue
    result = await sweep.sweep_deadlines(OVERDUE)
    assert (result.notices, result.emails) == (4, 2)
    [agency_mail] = await messages(AGENCY_MAIL)
    assert agency_mail.kind == "deadline_overdue"
    assert agency_mail.subject == "[PAKN] Cảnh báo thời hạn – 4 phản ánh: 2 quá hạn, 2 sắp đến hạn"
    body = agency_mail.body_text
    assert body.index("QUÁ HẠN (2)") < body.index("SẮP ĐẾN HẠN (2)")
    assert CODE.findall(body) == sorted(earlier) + sorted(later)
    assert "Hạn xử lý: 17:00 ngày 11/03/2026" in body and "Hạn xử lý: 17:00 ngày 12/03/2026" in body
    # The coordinators chase the overdue ones only.
    [escalation] = await messages(COORDINATOR_MAIL)
    assert CODE.findall(escalation.body_text) == sorted(earlier)
    assert "Sở Xây dựng" in escalation.body_text and "đôn đốc" in escalation.body_text
    assert await DeadlineNotice.all().count() == 4
    assert await FeedbackEvent.filter(action__startswith="deadline_").count() == 4


async def test_concurrent_sweeps_over_a_flood_give_one_message_per_addressee(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "MAX_ROWS", 1000)
    codes = await flood(await staff(), settings, 300)
    results = await asyncio.gather(*(sweep.sweep_deadlines(OVERDUE) for _ in range(4)))
    assert sum(result.notices for result in results) == 300
    assert sum(result.failed for result in results) == 0
    assert sum(result.emails for result in results) == 2
    assert await DeadlineNotice.filter(threshold="overdue").count() == 300
    assert await FeedbackEvent.filter(action="deadline_overdue").count() == 300
    for recipient in (AGENCY_MAIL, COORDINATOR_MAIL):
        listed = [code for message in await messages(recipient) for code in CODE.findall(message.body_text)]
        assert sorted(listed) == sorted(codes)  # each report once across this addressee's messages
        assert len(await messages(recipient)) == 1


async def test_a_report_crossing_again_on_a_new_deadline_gets_a_new_message_with_only_itself(
    settings: Settings,
) -> None:
    coordinator = await staff()
    codes = await flood(coordinator, settings, 3)
    await sweep.sweep_deadlines(OVERDUE)
    extended = await Feedback.get(tracking_code=codes[0])
    await act(coordinator, extended.id, OVERDUE, "extend", deadline="2026-03-20T17:00:00+07:00", reason="Chờ vật tư")
    result = await sweep.sweep_deadlines(at("2026-03-23", "09:00"))
    assert (result.notices, result.emails) == (1, 2)
    newest = (await messages(AGENCY_MAIL))[-1]
    assert CODE.findall(newest.body_text) == [codes[0]] and codes[0] in newest.subject
