"""The weekly status e-mail: figures from the statistics, Vietnamese numbers,
every agency (even one with nothing), each e-mail queued once per week."""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pakn.domain.roles import Role
from pakn.mail.sender import flush_outbox
from pakn.models import Agency, Feedback, OutboxMessage, StaffUser
from pakn.settings import Settings
from pakn.weekly.digest import send_weekly_digests
from pakn.weekly.figures import last_completed_week
from tests.mail_server import MailServer
from tests.staff import make_staff

pytestmark = pytest.mark.usefixtures("clean_db")

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 12, 7, 7, 30, tzinfo=VN)  # the digest for week 49 (30/11 – 06/12/2026)


def local(day: int, hour: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=VN)


async def report(
    agency: str,
    received: datetime,
    *,
    deadline: datetime | None = None,
    handled: datetime | None = None,
    title: str = "Đèn đường hỏng",
) -> Feedback:
    return await Feedback.create(
        tracking_code=f"PAKN-2026-{secrets.token_hex(4).upper()}",
        access_token_hash="x" * 64,
        title=title,
        content="Nội dung phản ánh",
        agency_id=agency,
        status="resolved" if handled else "in_progress",
        deadline=deadline,
        handled_at=handled,
        created_at=received,
        updated_at=received,
    )


async def week_49_for_so_xay_dung() -> list[Feedback]:
    return [
        await report("so-xay-dung", local(30, 9, 11), deadline=local(4, 17), handled=local(2, 10)),  # on time
        await report("so-xay-dung", local(1, 9), deadline=local(4, 17), handled=local(5, 9)),  # late
        await report("so-xay-dung", local(3, 9), deadline=local(4, 17), title="Ổ gà <nguy hiểm>"),  # overdue
        await report("so-xay-dung", local(5, 9), deadline=local(9, 17), title="Cây đổ"),  # due in 7 days
        await report("so-xay-dung", local(25, 9, 11), deadline=local(27, 17, 11)),  # earlier week, overdue
        await report("so-xay-dung", local(7, 9), deadline=local(10, 17)),  # next week: not in it
    ]


async def set_emails(code: str, *emails: str) -> None:
    await Agency.filter(code=code).update(emails=list(emails))


async def leaders() -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    viewer = await make_staff(Role.VIEWER)
    handler = await make_staff(Role.HANDLER, "so-xay-dung")
    gone = await make_staff(Role.COORDINATOR)
    for staff, email in (
        (coordinator, "dieu-phoi@example.vn"),
        (viewer, "lanh-dao@example.vn"),
        (handler, "can-bo@example.vn"),
        (gone, "nghi-viec@example.vn"),
    ):
        await StaffUser.filter(id=staff.user.id).update(email=email)
    await StaffUser.filter(id=gone.user.id).update(is_active=False)


def test_the_digest_is_for_the_last_week_completed_in_local_time() -> None:
    assert last_completed_week(MONDAY, VN).key == "2026-W49"
    assert last_completed_week(datetime(2026, 12, 6, 23, 59, tzinfo=VN), VN).key == "2026-W48"
    assert last_completed_week(datetime(2026, 12, 6, 17, 0, tzinfo=ZoneInfo("UTC")), VN).key == "2026-W49"
    assert last_completed_week(datetime(2027, 1, 4, 7, 30, tzinfo=VN), VN).label == "53/2026"


async def test_an_agency_gets_its_week_with_vietnamese_figures_and_its_lists(settings: Settings) -> None:
    await week_49_for_so_xay_dung()
    await set_emails("so-xay-dung", "sxd@example.vn", "giam-doc.sxd@example.vn")
    assert await send_weekly_digests(MONDAY, settings) == 1
    row = await OutboxMessage.get(dedupe_key="digest:so-xay-dung:agency:2026-W49")
    assert row.subject == "[PAKN] Báo cáo tuần 49/2026 – Sở Xây dựng"
    assert row.recipients == ["giam-doc.sxd@example.vn", "sxd@example.vn"]
    text = row.body_text
    assert "từ 30/11/2026 đến hết 06/12/2026" in text
    assert "Tiếp nhận:        4" in text and "Đã xử lý:         2/4 (50,0%)" in text
    assert "Đúng hạn:         1/2 (50,0%)" in text and "Trễ hạn:          1" in text
    assert "Còn đang xử lý:   3" in text and "Quá hạn:          2" in text
    overdue = text.split("PHẢN ÁNH QUÁ HẠN (2)")[1].split("ĐẾN HẠN")[0]
    assert "quá hạn 10 ngày  Đèn đường hỏng" in overdue and "quá hạn 3 ngày  Ổ gà <nguy hiểm>" in overdue
    assert "ĐẾN HẠN TRONG 7 NGÀY TỚI (1)" in text and "hạn 17:00 ngày 09/12/2026  Cây đổ" in text
    assert "Tuần 49/2026" in text and "4 tiếp nhận, đã xử lý 50,0%" in text
    assert "Ổ gà &lt;nguy hiểm&gt;" in row.body_html and "2/4 (50,0%)" in row.body_html


async def test_an_agency_with_nothing_that_week_still_gets_its_email_saying_so(settings: Settings) -> None:
    await set_emails("so-noi-vu", "snv@example.vn")
    assert await send_weekly_digests(MONDAY, settings) == 1
    row = await OutboxMessage.get(dedupe_key="digest:so-noi-vu:agency:2026-W49")
    assert row.subject == "[PAKN] Báo cáo tuần 49/2026 – Sở Nội vụ"
    assert "không tiếp nhận phản ánh, kiến nghị mới nào" in row.body_text
    assert "Không còn phản ánh, kiến nghị nào đang chờ xử lý" in row.body_text
    assert "không tiếp nhận phản ánh, kiến nghị mới nào" in row.body_html


async def test_the_leaders_get_the_province_with_every_agency_ranked(settings: Settings) -> None:
    await week_49_for_so_xay_dung()
    await report("so-y-te", local(2, 9), deadline=local(8, 17), handled=local(3, 9))
    await report(None, local(2, 9))  # not assigned yet
    await leaders()
    assert await send_weekly_digests(MONDAY, settings) == 1  # no agency has addresses
    row = await OutboxMessage.get(dedupe_key="digest:province:leaders:2026-W49")
    assert row.subject == "[PAKN] Báo cáo tuần 49/2026 – Toàn tỉnh"
    assert row.recipients == ["dieu-phoi@example.vn", "lanh-dao@example.vn"]
    text = row.body_text
    assert "Tổng số PAKN được tiếp nhận là 6, tổng số PAKN đã xử lý là 3, đạt 50,0%." in text
    ranking = text.split("XẾP HẠNG ĐƠN VỊ")[1]
    names = [match[1] for match in re.findall(r"^ *(\d+)\. (.+)$", ranking, re.MULTILINE)]
    assert names[0] == "Sở Xây dựng"  # ranked by backlog: the only one with reports still open
    assert len(names) == await Agency.filter(is_active=True).count()
    assert "Chưa giao đơn vị" in ranking and "Sở Nội vụ\n       không có phản ánh nào" in ranking
    assert "tiếp nhận 4, đã xử lý 2/4 (50,0%), trễ hạn 1; còn 3 đang xử lý, 2 quá hạn" in ranking


async def test_running_the_digest_twice_even_at_once_queues_each_email_once(settings: Settings) -> None:
    await week_49_for_so_xay_dung()
    await set_emails("so-xay-dung", "sxd@example.vn")
    await set_emails("so-noi-vu", "snv@example.vn")
    await leaders()
    counts = await asyncio.gather(*(send_weekly_digests(MONDAY, settings) for _ in range(3)))
    assert sum(counts) == 3
    assert await send_weekly_digests(MONDAY + timedelta(hours=1), settings) == 0
    keys = sorted(await OutboxMessage.all().values_list("dedupe_key", flat=True))
    assert keys == [
        "digest:province:leaders:2026-W49",
        "digest:so-noi-vu:agency:2026-W49",
        "digest:so-xay-dung:agency:2026-W49",
    ]


async def test_a_digest_missed_on_monday_is_queued_once_when_the_service_is_back(settings: Settings) -> None:
    await set_emails("so-noi-vu", "snv@example.vn")
    tuesday = MONDAY + timedelta(days=1, hours=3)
    assert await send_weekly_digests(tuesday, settings) == 1
    assert await send_weekly_digests(tuesday + timedelta(days=2), settings) == 0
    assert await OutboxMessage.filter(dedupe_key="digest:so-noi-vu:agency:2026-W49").exists()
    assert await send_weekly_digests(MONDAY + timedelta(days=7), settings) == 1  # the next week's


async def test_the_smtp_server_receives_the_digest_with_text_and_html(settings: Settings) -> None:
    await week_49_for_so_xay_dung()
    await set_emails("so-xay-dung", "sxd@example.vn")
    server = MailServer()
    server.start()
    try:
        await send_weekly_digests(MONDAY, settings)
        assert (await flush_outbox(MONDAY, server.settings(settings))).sent == 1
    finally:
        server.stop()
    [received] = server.received
    message = received.message
    assert message["Subject"] == "[PAKN] Báo cáo tuần 49/2026 – Sở Xây dựng"
    assert "2/4 (50,0%)" in message.get_body(("plain",)).get_content()
    assert "2/4 (50,0%)" in message.get_body(("html",)).get_content()
