"""The province's weekly e-mail ranks agencies by their backlog (overdue, then
still open), even in a quiet week, and lists the overdue reports to chase:
tracking code, agency, days overdue, in Vietnamese number formatting."""

from __future__ import annotations

import re

import pytest

from pakn.mail.sender import flush_outbox
from pakn.models import Feedback, OutboxMessage
from pakn.settings import Settings
from pakn.weekly import figures
from pakn.weekly.digest import send_weekly_digests
from tests.integration.test_digest_weekly import MONDAY, leaders, local, report
from tests.mail_server import MailServer

pytestmark = pytest.mark.usefixtures("clean_db")


async def a_quiet_week_with_a_backlog() -> dict[str, str]:
    """Week 49 brings one report, handled at once; older reports are still open."""
    codes = {
        "sxd-old": (await report("so-xay-dung", local(18, 9, 11), deadline=local(20, 17, 11))).tracking_code,
        "sxd-late": (await report("so-xay-dung", local(25, 9, 11), deadline=local(27, 17, 11))).tracking_code,
        "yte-ancient": (await report("so-y-te", local(1, 9), deadline=local(1, 17))).tracking_code,
        "unassigned": (await report(None, local(2, 9), deadline=local(3, 17))).tracking_code,
    }
    await report("so-xay-dung", local(27, 9, 11), deadline=local(10, 17))
    await report("so-y-te", local(27, 9, 11), deadline=local(10, 17))
    for _ in range(3):
        await report("cong-an-tinh", local(26, 9, 11), deadline=local(11, 17))
    await report("cap-nuoc", local(1, 9), deadline=local(4, 17), handled=local(2, 9))
    await Feedback.filter(tracking_code=codes["yte-ancient"]).update(
        created_at=local(1, 9, 12).replace(year=2023), deadline=local(1, 17, 12).replace(year=2023)
    )
    return codes


def ranked_names(text: str) -> list[str]:
    section = text.split("XẾP HẠNG ĐƠN VỊ")[1]
    return [match[1] for match in re.findall(r"^ *(\d+)\. (.+)$", section, re.MULTILINE)]


async def test_a_quiet_week_ranks_the_agencies_by_backlog_not_by_name(settings: Settings) -> None:
    await a_quiet_week_with_a_backlog()
    await leaders()
    assert await send_weekly_digests(MONDAY, settings) == 1
    text = (await OutboxMessage.get(dedupe_key="digest:province:leaders:2026-W49")).body_text
    names = ranked_names(text)
    # 2 overdue of 3 open; 1 overdue of 2 open; 0 overdue of 3 open; then nothing open, by name.
    assert names[:4] == ["Sở Xây dựng", "Sở Y tế", "Công an tỉnh", "Công ty Cấp nước tỉnh"]
    assert names[4:6] == ["Công ty Điện lực tỉnh", "Sở Giáo dục và Đào tạo"]
    assert "(theo số phản ánh quá hạn, rồi số còn đang xử lý)" in text
    assert text.split("XẾP HẠNG ĐƠN VỊ")[1].rstrip().count("Chưa giao đơn vị") == 1


async def test_the_province_email_lists_the_overdue_reports_with_agency_and_days(settings: Settings) -> None:
    codes = await a_quiet_week_with_a_backlog()
    await leaders()
    await send_weekly_digests(MONDAY, settings)
    server = MailServer()
    server.start()
    try:
        assert (await flush_outbox(MONDAY, server.settings(settings))).sent == 1
    finally:
        server.stop()
    [received] = server.received
    text = received.message.get_body(("plain",)).get_content()
    html = received.message.get_body(("html",)).get_content()
    listed = text.split("PHẢN ÁNH QUÁ HẠN (4)")[1].split("XẾP HẠNG")[0]
    lines = [line.strip() for line in listed.strip().splitlines()]
    assert lines[1:] == [
        f"{codes['yte-ancient']}  quá hạn 1.102 ngày  Sở Y tế",
        f"{codes['sxd-old']}  quá hạn 17 ngày  Sở Xây dựng",
        f"{codes['sxd-late']}  quá hạn 10 ngày  Sở Xây dựng",
        f"{codes['unassigned']}  quá hạn 4 ngày  Chưa giao đơn vị",
    ]
    assert "Phản ánh quá hạn (4)" in html and codes["yte-ancient"] in html and "1.102 ngày" in html


async def test_past_the_list_limit_the_other_overdue_reports_are_counted(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = await a_quiet_week_with_a_backlog()
    monkeypatch.setattr(figures, "LIST_LIMIT", 2)
    await leaders()
    await send_weekly_digests(MONDAY, settings)
    text = (await OutboxMessage.get(dedupe_key="digest:province:leaders:2026-W49")).body_text
    listed = text.split("PHẢN ÁNH QUÁ HẠN (4)")[1].split("XẾP HẠNG")[0]
    assert codes["sxd-old"] in listed and codes["sxd-late"] not in listed
    assert "… và 2 phản ánh khác." in listed
