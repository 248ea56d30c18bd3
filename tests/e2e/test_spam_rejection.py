"""Rejecting a flood of spam from one device or address in one call: only the
open reports from that source since the instant, each left as a one-by-one
reject would leave it, one event each; the source shown to staff only; spam
gone from the public Open311 listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from pakn.domain.roles import Role
from pakn.models import Feedback, FeedbackEvent, OutboxMessage
from pakn.workflow import spam
from tests.e2e.workflow_helpers import STAFF_URL, act_ok, citizen_submits
from tests.factories import publish_answer
from tests.staff import Staff, make_staff

URL = f"{STAFF_URL}/reject-spam"
DEVICE = "may-rac-0042"


def instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


async def reject_spam(client: httpx.AsyncClient, staff: Staff, **body: Any) -> httpx.Response:
    return await client.post(URL, json=body, headers=staff.headers)


async def from_device(client: httpx.AsyncClient, device: str = DEVICE, **overrides: Any) -> int:
    return int((await citizen_submits(client, device_id=device, **overrides))["id"])


async def test_only_the_open_reports_from_the_device_since_the_instant_are_rejected(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    since = datetime.now(UTC) - timedelta(minutes=5)
    received = [await from_device(client) for _ in range(3)]
    assigned = await from_device(client)
    await act_ok(client, coordinator, assigned, "assign", agency="so-xay-dung")
    started = await from_device(client)
    await Feedback.filter(id=started).update(status="in_progress", agency_id="so-xay-dung")
    answered = await from_device(client)
    await publish_answer(answered)
    older = await from_device(client)
    await Feedback.filter(id=older).update(created_at=since - timedelta(seconds=1))
    elsewhere = await from_device(client, device="dien-thoai-cua-an")
    before = {row.id: row for row in await Feedback.all()}
    mails = await OutboxMessage.all().count()

    reply = await reject_spam(client, coordinator, device_id=DEVICE, since=instant(since), note="Gửi hàng loạt")

    assert reply.status_code == 200, reply.text
    rejected = sorted([*received, assigned])
    assert reply.json() == {"rejected": 4, "ids": rejected}
    after = {row.id: row for row in await Feedback.all()}
    for fid in rejected:
        row, was = after[fid], before[fid]
        assert (row.status.value, row.reject_reason) == ("rejected", "spam")
        assert row.rejected_at == row.handled_at == row.updated_at and row.rejected_at > since
        assert row.version == was.version + 1
        assert (row.deadline, row.agency_id, row.answer) == (was.deadline, was.agency_id, was.answer)
    for fid in (started, answered, older, elsewhere):
        assert (after[fid].status, after[fid].version, after[fid].reject_reason) == (
            before[fid].status,
            before[fid].version,
            before[fid].reject_reason,
        )
    events = await FeedbackEvent.filter(action="reject").order_by("feedback_id")
    assert [event.feedback_id for event in events] == rejected
    assert [event.from_status.value for event in events] == ["received", "received", "received", "assigned"]
    for event in events:
        assert (event.to_status.value, event.is_public, event.note) == ("rejected", True, "Gửi hàng loạt")
        assert event.details == {"reason": "spam", "bulk": True}
        assert (event.actor_user_id, event.actor) == (coordinator.user.id, coordinator.user.username)
        assert event.created_at == after[event.feedback_id].rejected_at
    assert await OutboxMessage.all().count() == mails  # no e-mail to the citizens

    again = await reject_spam(client, coordinator, device_id=DEVICE, since=instant(since))
    assert again.json() == {"rejected": 0, "ids": []}
    assert await FeedbackEvent.filter(action="reject").count() == 4


async def test_a_spam_reject_reads_on_the_staff_detail_like_a_single_one(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    one, many = await from_device(client, device="thiet-bi-a"), await from_device(client, device="thiet-bi-b")
    await act_ok(client, coordinator, one, "reject", reason="spam")
    since = instant(datetime.now(UTC) - timedelta(hours=1))
    assert (await reject_spam(client, coordinator, device_id="thiet-bi-b", since=since)).json()["rejected"] == 1
    details = [(await client.get(f"{STAFF_URL}/{fid}", headers=coordinator.headers)).json() for fid in (one, many)]
    for detail in details:
        assert (detail["status"], detail["reject_reason"], detail["allowed_actions"]) == ("rejected", "spam", [])
        assert detail["rejected_at"] and detail["version"] == 2 and detail["client_address"] == "127.0.0.1"
    assert [detail["device_id"] for detail in details] == ["thiet-bi-a", "thiet-bi-b"]
    history = (await client.get(f"{STAFF_URL}/{many}/events", headers=coordinator.headers)).json()["items"]
    assert history[-1]["details"] == {"reason": "spam", "bulk": True}


async def test_reports_from_one_address_are_rejected_by_address(client: httpx.AsyncClient) -> None:
    admin = await make_staff(Role.ADMIN)
    script, person = await from_device(client, device=None), await from_device(client, device=None)
    await Feedback.filter(id=script).update(client_address="203.0.113.9")
    since = instant(datetime.now(UTC) - timedelta(hours=1))
    reply = await reject_spam(client, admin, client_address="203.0.113.9", since=since)
    assert reply.json() == {"rejected": 1, "ids": [script]}
    assert (await Feedback.get(id=person)).status.value == "received"


async def test_a_large_rejection_gives_the_count_without_the_ids(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spam, "IDS_SHOWN", 2)
    coordinator = await make_staff(Role.COORDINATOR)
    for _ in range(3):
        await from_device(client)
    since = instant(datetime.now(UTC) - timedelta(hours=1))
    reply = await reject_spam(client, coordinator, device_id=DEVICE, since=since)
    assert reply.json() == {"rejected": 3, "ids": None}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"since": "2026-12-01T00:00:00+07:00"}, "body"),
        ({"device_id": DEVICE, "client_address": "203.0.113.9", "since": "2026-12-01T00:00:00+07:00"}, "body"),
        ({"device_id": DEVICE, "since": "2026-12-01T00:00:00"}, "since"),
        ({"device_id": DEVICE, "since": "hôm qua"}, "since"),
        ({"device_id": DEVICE}, "since"),
        ({"client_address": "unknown", "since": "2026-12-01T00:00:00+07:00"}, "client_address"),
        ({"device_id": DEVICE, "since": "2026-12-01T00:00:00+07:00", "reason": "other"}, "reason"),
    ],
)
async def test_a_bad_request_is_a_vietnamese_422(client: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    reply = await reject_spam(client, coordinator, **body)
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json()
    assert problem["title"] == "Dữ liệu không hợp lệ"
    assert [error["field"] for error in problem["errors"]] == [field]


async def test_the_route_is_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"][URL]["post"]
    assert operation["tags"] == ["staff"] and operation["summary"].startswith("Từ chối hàng loạt")
    schema = spec["components"]["schemas"]["SpamRejectRequest"]
    assert {"device_id", "client_address", "since", "note"} <= set(schema["properties"])


async def test_the_source_never_reaches_a_public_or_citizen_view(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client, device_id="thiet-bi-bi-mat-77")
    await Feedback.filter(id=created["id"]).update(client_address="198.51.100.77")
    await publish_answer(created["id"])
    code, token = created["tracking_code"], created["access_token"]
    replies = [
        await client.get(f"/api/v1/feedback/{code}"),
        await client.get(f"/api/v1/feedback/{code}", headers={"Authorization": f"Bearer {token}"}),
        await client.get("/api/v1/feedback/public"),
        await client.get("/open311/v2/requests.json", params={"extensions": "true"}),
        await client.get("/open311/v2/requests.xml", params={"extensions": "true"}),
        await client.get(f"/open311/v2/requests/{code}.json", params={"extensions": "true"}),
    ]
    for reply in replies:
        assert reply.status_code == 200, reply.text
        assert code in reply.text  # the report is there ...
        for secret in ("device_id", "client_address", "thiet-bi-bi-mat-77", "198.51.100.77"):
            assert secret not in reply.text, (reply.url, secret)  # ... its source is not
    coordinator = await make_staff(Role.COORDINATOR)
    staff = (await client.get(f"{STAFF_URL}/{created['id']}", headers=coordinator.headers)).json()
    assert (staff["device_id"], staff["client_address"]) == ("thiet-bi-bi-mat-77", "198.51.100.77")


async def test_spam_and_other_rejects_are_absent_from_the_public_open311_listing(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    junk = await citizen_submits(client, device_id=DEVICE)
    refused = await citizen_submits(client)
    await act_ok(client, coordinator, refused["id"], "reject", reason="out_of_scope")
    since = instant(datetime.now(UTC) - timedelta(hours=1))
    assert (await reject_spam(client, coordinator, device_id=DEVICE, since=since)).json()["rejected"] == 1
    listed = (await client.get("/open311/v2/requests.json")).json()
    assert listed == []  # a rejected report is not public (pakn.domain.publication)
    assert (await client.get(f"/open311/v2/requests/{refused['tracking_code']}.json")).status_code == 404
    assert (await client.get(f"/open311/v2/requests/{junk['tracking_code']}.json")).status_code == 404
    feed = (await client.get("/api/v1/feedback/public")).json()
    assert feed["items"] == []  # neither was answered: the feed never had them
