"""One publication rule for every door: the same report is public, or absent, at
the citizen lookup, the public feed, Open311 (list and single) and in the counts
of open data; what is public is masked the same way; a search for personal
data finds nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from pakn.domain.publication import PUBLIC_WHERE, is_published
from pakn.domain.roles import Role
from pakn.domain.status import Status
from pakn.models import Feedback
from pakn.submission import tracking
from pakn.text.privacy import NAME, PHONE
from tests.assessing import assessed
from tests.e2e.workflow_helpers import citizen_submits
from tests.factories import publish_answer
from tests.staff import make_staff

FEED = "/api/v1/feedback/public"
OPEN311 = "/open311/v2"
NAMING = "Ông Trần Văn Cường ở đường Trần Hưng Đạo đổ rác ra vỉa hè mỗi tối, gọi 0987654321 để hỏi."
MASKED = f"Ông {NAME} ở đường Trần Hưng Đạo đổ rác ra vỉa hè mỗi tối, gọi {PHONE} để hỏi."


async def doors(client: httpx.AsyncClient, code: str) -> dict[str, Any]:
    """What each public door shows of the report `code`: None where it is absent."""
    lookup = await client.get(f"/api/v1/feedback/{code}")
    feed = [item for item in (await client.get(FEED)).json()["items"] if item["tracking_code"] == code]
    requests = (await client.get(f"{OPEN311}/requests.json")).json()
    listed = [item for item in requests if item["service_request_id"] == code]
    single = await client.get(f"{OPEN311}/requests/{code}.json")
    return {
        "lookup": lookup.json() if lookup.status_code == 200 else lookup.status_code,
        "feed": feed[0] if feed else None,
        "open311 list": listed[0] if listed else None,
        "open311 single": single.json()[0] if single.status_code == 200 else single.status_code,
    }


async def test_a_just_received_report_naming_a_person_is_absent_from_every_door(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client, content=NAMING)
    shown = await doors(client, created["tracking_code"])
    assert shown == {"lookup": 404, "feed": None, "open311 list": None, "open311 single": 404}
    # Open data counts it, public or not, and names no one.
    viewer = await make_staff(Role.VIEWER)
    reply = await client.get("/api/v1/stats/export", params={"format": "csv", "by": "channel"}, headers=viewer.headers)
    assert reply.status_code == 200, reply.text
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert [(row[0], row[2]) for row in rows[1:]] == [("mobile", "1")]
    assert "Cường" not in reply.text and "0987654321" not in reply.text


async def test_once_answered_the_report_reads_the_same_masked_text_at_every_door(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client, title="Đổ rác", content=NAMING)
    await publish_answer(created["id"], "Đã nhắc nhở bà Lan và ông Trần Văn Cường, liên hệ 0912345678.")
    shown = await doors(client, created["tracking_code"])
    answer = f"Đã nhắc nhở bà {NAME} và ông {NAME}, liên hệ {PHONE}."
    assert shown["lookup"]["content"] == shown["feed"]["content"] == MASKED
    assert shown["lookup"]["answer"]["content"] == shown["feed"]["answer"]["content"] == answer
    for door in ("open311 list", "open311 single"):
        assert shown[door]["description"] == f"Đổ rác\n\n{MASKED}", door
        assert shown[door]["status_notes"] == answer and shown[door]["status"] == "closed", door
    assert "Cường" not in str(shown) and "0987654321" not in str(shown)


async def test_without_consent_or_once_rejected_or_merged_a_report_stays_absent(client: httpx.AsyncClient) -> None:
    private = await citizen_submits(client, is_public=False)
    rejected = await citizen_submits(client)
    merged = await citizen_submits(client)
    for item in (private, rejected, merged):
        await publish_answer(item["id"])
    await Feedback.filter(id=rejected["id"]).update(status=Status.REJECTED, reject_reason="spam")
    await Feedback.filter(id=merged["id"]).update(status=Status.DUPLICATE)
    for item in (private, rejected, merged):
        shown = await doors(client, item["tracking_code"])
        assert shown == {"lookup": 404, "feed": None, "open311 list": None, "open311 single": 404}, item


async def test_the_database_filter_and_the_python_check_agree_on_every_status(client: httpx.AsyncClient) -> None:
    for status in Status:
        for consent in (True, False):
            created = await citizen_submits(client, is_public=consent)
            await Feedback.filter(id=created["id"]).update(status=status)
    selected = set(await Feedback.filter(**PUBLIC_WHERE).values_list("id", flat=True))
    checked = {row.id for row in await Feedback.all() if is_published(row)}
    assert selected == checked and len(selected) == 2  # resolved and closed, with consent


async def test_searching_the_feed_for_personal_data_finds_nothing(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client, title="Đổ rác", content=NAMING + " Email dan@example.com.")
    await publish_answer(created["id"])
    await assessed()  # the search copies are written just after the commit

    async def found(q: str) -> list[str]:
        response = await client.get(FEED, params={"q": q})
        assert response.status_code == 200, response.text
        return [item["tracking_code"] for item in response.json()["items"]]

    assert await found("Trần Hưng Đạo") == await found("do rac") == [created["tracking_code"]]
    for personal in ("0987654321", "0987 654 321", "dan@example.com", "ông Trần Văn Cường", "ong Tran Van Cuong"):
        assert await found(personal) == [], personal
    # Masked in the feed, so not found by the masked name alone either.
    assert await found("Trần Văn Cường") == await found("tranvancuong") == []


async def test_a_search_pages_through_reports_skipping_those_matched_only_by_a_masked_name(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracking, "SCAN_BATCH", 2)
    monkeypatch.setattr(tracking, "SCAN_MOST", 4)  # pages end early, their cursor past what was read
    now = datetime.now(UTC)
    expected = []
    for age in range(7):
        masked = age % 3 != 0  # "bà Thu Hà" is masked; "Hồ Thu Hà" (a lake's name here) is not
        content = "Rác chất đống cạnh nhà bà Thu Hà." if masked else "Rác chất đống cạnh hồ Thu Hà."
        created = await citizen_submits(client, content=content)
        await publish_answer(created["id"], at=now - timedelta(minutes=age))
        if not masked:
            expected.append(created["tracking_code"])
    await assessed()
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params = {"q": "Thu Hà", "limit": "1"} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(FEED, params=params)).json()
        seen += [item["tracking_code"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected and len(expected) == 3
