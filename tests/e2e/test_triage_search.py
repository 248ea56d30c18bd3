"""Search, suggestions and urgency through the API, as staff and the public see them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pakn.domain.roles import Role
from tests.assessing import assessed
from tests.e2e.workflow_helpers import STAFF_URL, act_ok, citizen_submits
from tests.factories import publish_answer
from tests.staff import Staff, make_staff

PUBLIC_FEED = "/api/v1/feedback/public"


@pytest.fixture
async def coordinator(client: httpx.AsyncClient) -> Staff:
    return await make_staff(Role.COORDINATOR)


async def found(client: httpx.AsyncClient, staff: Staff, q: str) -> list[str]:
    await assessed()  # search copies are written by the assessment, just after the commit
    response = await client.get(STAFF_URL, params={"q": q}, headers=staff.headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def detail(client: httpx.AsyncClient, staff: Staff, feedback_id: int) -> dict[str, Any]:
    await assessed()
    response = await client.get(f"{STAFF_URL}/{feedback_id}", headers=staff.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_staff_queue_finds_a_report_however_the_query_is_spelled(
    client: httpx.AsyncClient, coordinator: Staff
) -> None:
    wanted = await citizen_submits(client, title="Đường bị ngập", content="Nước dâng cao sau cơn mưa lớn chiều qua.")
    await citizen_submits(client, title="Rác thải", content="Rác để lâu ngày ở đầu ngõ không ai thu gom.")
    for query in ("duong bi ngap", "ĐƯỜNG BỊ NGẬP", "duongbingap", "Đườngbịngập", wanted["tracking_code"]):
        assert await found(client, coordinator, query) == ["Đường bị ngập"], query


async def test_run_together_text_is_found_by_a_spaced_query(client: httpx.AsyncClient, coordinator: Staff) -> None:
    await citizen_submits(client, title="Mất nước", content="Khu phố mấtnướcsinhhoạt ba ngày nay rồi.")
    assert await found(client, coordinator, "mat nuoc sinh hoat") == ["Mất nước"]


async def test_the_public_feed_searches_too_but_never_by_personal_data(client: httpx.AsyncClient) -> None:
    shown = await citizen_submits(
        client, title="Đèn đường hỏng", content="Đèn đường ngõ 5 tắt cả tuần, liên hệ 0912 345 678 để chỉ chỗ."
    )
    other = await citizen_submits(client, title="Ổ gà", content="Mặt đường nhiều ổ gà, xe máy dễ ngã.")
    for item in (shown, other):
        await publish_answer(item["id"])

    async def public(q: str) -> list[str]:
        await assessed()
        response = await client.get(PUBLIC_FEED, params={"q": q})
        assert response.status_code == 200, response.text
        return [item["title"] for item in response.json()["items"]]

    assert await public("den duong hong") == ["Đèn đường hỏng"]
    assert await public("ĐÈNĐƯỜNG") == ["Đèn đường hỏng"]
    feed = (await client.get(PUBLIC_FEED)).json()["items"]
    assert "0912 345 678" not in str(feed) and "[số điện thoại]" in str(feed)
    # The number is masked in the feed: searching it finds nothing.
    assert await public("0912 345 678") == []


async def test_the_staff_detail_shows_the_suggestions_and_keeps_the_citizens_category(
    client: httpx.AsyncClient, coordinator: Staff
) -> None:
    chosen = await citizen_submits(client, content="Nước máy đục, có cặn vàng cả tuần nay.", category="khac")
    unchosen = await citizen_submits(client, content="Nước máy đục, có cặn vàng cả tuần nay.", category=None)
    kept = await detail(client, coordinator, chosen["id"])
    assert kept["category"] == "khac" and kept["suggested_category"] is None
    suggested = await detail(client, coordinator, unchosen["id"])
    assert suggested["category"] is None and suggested["suggested_category"] == "cap-thoat-nuoc"
    suggestions = suggested["suggestions"]
    assert suggestions["categories"][0]["code"] == "cap-thoat-nuoc"
    assert set(suggestions["categories"][0]) >= {"code", "score", "reason"}
    assert suggestions["agency"]["code"] == "cap-nuoc"
    assert suggestions["duplicates"][0]["id"] == chosen["id"]


async def test_a_danger_word_makes_a_report_urgent_and_the_coordinator_can_clear_it(
    client: httpx.AsyncClient, coordinator: Staff
) -> None:
    fire = await citizen_submits(client, title="Cháy nhà", content="Nhà dân trong ngõ đang bốc cháy, khói đen kín ngõ.")
    calm = await citizen_submits(client, title="Nhà sắp xây", content="Nhà tôi sắp xây lại, xin hỏi thủ tục cấp phép.")
    shown = await detail(client, coordinator, fire["id"])
    assert shown["urgent"] is True and shown["priority"] == "urgent"
    assert {"bốc cháy", "cháy nhà"} & set(shown["suggestions"]["urgency"]["words"])
    assert (await detail(client, coordinator, calm["id"]))["urgent"] is False
    urgent_only = await client.get(STAFF_URL, params={"urgent": "true"}, headers=coordinator.headers)
    assert [item["id"] for item in urgent_only.json()["items"]] == [fire["id"]]
    cleared = await act_ok(client, coordinator, fire["id"], "set_priority", priority="normal", urgent=False)
    assert cleared["urgent"] is False and cleared["priority"] == "normal"
