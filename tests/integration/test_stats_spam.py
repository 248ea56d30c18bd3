"""Spam cannot skew the published figures: 500 reports from one phone, rejected
in one call, leave "2.137 tiếp nhận, 1.963 đã xử lý, đạt 91,9%" exactly as it
was, from the service, the staff and public API, `pakn stats` and the weekly
e-mail alike."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from pakn.commands.stats import render
from pakn.domain.channels import Channel
from pakn.domain.roles import Role
from pakn.domain.status import Status
from pakn.models import Feedback, OutboxMessage, StaffUser
from pakn.settings import Settings
from pakn.stats.schemas import BreakdownQuery
from pakn.stats.service import summary
from pakn.weekly.digest import send_weekly_digests
from tests.integration.test_stats_service import AS_OF, TZ, local, mobile_filter, report, seed_province
from tests.staff import Staff, make_staff

pytestmark = pytest.mark.usefixtures("clean_db")

DEVICE, ADDRESS = "may-rac-thong-ke", "203.0.113.66"
PERIOD = {"from": "2023-01-01", "to": "2023-10-01", "as_of": AS_OF.isoformat()}
SENTENCE = "Tổng số PAKN được tiếp nhận là 2.137, tổng số PAKN đã xử lý là 1.963, đạt 91,9%."


async def add_spam(first: datetime, count: int = 500) -> None:
    """`count` mobile reports from one phone at one address, some already assigned."""
    statuses = (Status.RECEIVED, Status.ASSIGNED)
    rows = [
        report(
            first + timedelta(minutes=i),
            channel=Channel.MOBILE,
            status=statuses[i % 2],
            agency_id="so-xay-dung" if i % 2 else None,
            device_id=DEVICE,
            client_address=ADDRESS,
        )
        for i in range(count)
    ]
    await Feedback.bulk_create(rows, batch_size=500)


async def reject(client: httpx.AsyncClient, coordinator: Staff, since: datetime) -> None:
    body = {"device_id": DEVICE, "since": since.isoformat(), "note": "Một máy gửi hàng loạt"}
    reply = await client.post("/api/v1/staff/feedback/reject-spam", json=body, headers=coordinator.headers)
    assert reply.status_code == 200, reply.text
    assert reply.json()["rejected"] == 500


async def test_spam_rejected_in_bulk_counts_in_no_figure(client: httpx.AsyncClient, app: Starlette) -> None:
    await seed_province()
    await add_spam(local(2023, 3, 1, 8, 0))
    coordinator = await make_staff(Role.COORDINATOR)
    skewed = await summary(mobile_filter(), TZ)
    assert (skewed.received, skewed.handled) == (2137 + 500, 1963)  # open spam is a report until rejected

    await reject(client, coordinator, local(2023, 1, 1, 0, 0))

    figures = await summary(mobile_filter(), TZ)
    assert (figures.received, figures.handled, figures.rejected) == (2137, 1963, 392)  # the seed's own rejects
    assert (figures.display.received, figures.display.handled) == ("2.137", "1.963/2.137 (91,9%)")
    assert figures.display.sentence == SENTENCE
    assert figures.in_progress + figures.waiting + figures.handled == figures.received
    later = await summary(mobile_filter(as_of=datetime.now(TZ) + timedelta(days=1)), TZ)
    assert (later.received, later.handled) == (2137, 1963)  # nor handled once its rejection is past

    mobile_only = PERIOD | {"channel": "mobile"}
    staff = await client.get("/api/v1/stats/summary", params=mobile_only, headers=coordinator.headers)
    assert (staff.json()["received"], staff.json()["handled"]) == (2137, 1963)
    assert staff.json()["display"]["handled"] == "1.963/2.137 (91,9%)"
    ranked = await client.get("/api/v1/stats/breakdown", params=PERIOD | {"by": "channel"}, headers=coordinator.headers)
    mobile = next(item for item in ranked.json()["items"] if item["key"] == "mobile")
    assert (mobile["received"], mobile["handled"]) == (2137, 1963)

    query = BreakdownQuery.model_validate(PERIOD | {"channel": "mobile"})
    assert json.loads(await render(query, None, "json", AS_OF, TZ))["received"] == 2137
    assert SENTENCE in await render(query, None, "table", AS_OF, TZ)

    # The public screen has no channel filter: the other channels' reports go.
    await Feedback.exclude(channel=Channel.MOBILE).delete()
    app.state.stats_public_cache = {}
    public = await client.get("/api/v1/stats/public", params={"from": "2023-01-01", "to": "2023-10-01"})
    assert (public.json()["received"], public.json()["handled"]) == (2137, 1963)
    assert public.json()["display"]["handled"] == "1.963/2.137 (91,9%)"
    assert public.json()["display"]["sentence"] == SENTENCE


async def test_a_week_flooded_with_spam_reads_the_same_in_the_weekly_email(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    monday = datetime(2026, 11, 23, 0, 0, tzinfo=vn)  # week 48: 23/11 – 29/11/2026
    rows = []
    for i in range(2137):
        created = monday + timedelta(minutes=3 * i)
        handled = {"handled_at": created + timedelta(hours=1)} if i < 1963 else {}
        rows.append(report(created, channel=Channel.MOBILE, **handled))
    await Feedback.bulk_create(rows, batch_size=500)
    await add_spam(monday + timedelta(days=2))
    coordinator = await make_staff(Role.COORDINATOR)
    await StaffUser.filter(id=coordinator.user.id).update(email="dieu-phoi@example.vn")

    await reject(client, coordinator, monday)

    assert await send_weekly_digests(datetime(2026, 11, 30, 7, 30, tzinfo=vn), settings) == 1
    text = (await OutboxMessage.get(dedupe_key="digest:province:leaders:2026-W48")).body_text
    assert SENTENCE in text
    assert "Tiếp nhận:        2.137" in text and "Đã xử lý:         1.963/2.137 (91,9%)" in text
    assert "Còn đang xử lý:   174" in text
    assert "2.637" not in text and "674" not in text
