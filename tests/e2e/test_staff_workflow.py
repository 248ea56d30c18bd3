"""A report worked from arrival to a published answer, through the staff API."""

from __future__ import annotations

import asyncio

import httpx

from pakn.domain.roles import Role
from pakn.models import Feedback, FeedbackEvent
from tests.e2e.workflow_helpers import STAFF_URL, act, act_ok, citizen_submits, etag_of
from tests.factories import png_bytes
from tests.staff import make_staff

AGENCY = "so-xay-dung"


async def test_a_mobile_report_goes_from_arrival_to_a_rated_public_answer(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    handler = await make_staff(Role.HANDLER, AGENCY)
    created = await citizen_submits(client)
    fid, code = created["id"], created["tracking_code"]
    citizen = {"Authorization": f"Bearer {created['access_token']}"}

    assigned = await act_ok(client, coordinator, fid, "assign", agency=AGENCY, priority="normal")
    assert assigned["status"] == "assigned" and assigned["agency"] == AGENCY and assigned["assigned_at"]
    assert "start" in (await client.get(f"{STAFF_URL}/{fid}", headers=handler.headers)).json()["allowed_actions"]
    await act_ok(client, handler, fid, "start")
    asked = await act_ok(client, handler, fid, "request_info", message="Xin gửi ảnh chụp rõ vị trí ngập.")
    assert asked["status"] == "info_requested"

    waiting = (await client.get(f"/api/v1/feedback/{code}", headers=citizen)).json()
    assert waiting["info_request"]["message"] == "Xin gửi ảnh chụp rõ vị trí ngập."
    supplement = await client.post(
        f"/api/v1/feedback/{code}/supplements",
        headers=citizen,
        data={"payload": '{"content": "Ảnh chụp lúc 7 giờ sáng nay."}'},
        files=[("attachments", ("ngap.png", png_bytes(), "image/png"))],
    )
    assert supplement.status_code == 201, supplement.text
    detail = (await client.get(f"{STAFF_URL}/{fid}", headers=handler.headers)).json()
    assert detail["status"] == "in_progress"
    assert detail["supplements"][0]["content"] == "Ảnh chụp lúc 7 giờ sáng nay."
    assert len(detail["attachments"]) == 1
    photo = await client.get(detail["attachments"][0]["url"], headers=handler.headers)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"

    answered = await act_ok(client, handler, fid, "answer", answer="Đã nạo vét cống, đường hết ngập.")
    assert answered["status"] == "answered"
    hidden = (await client.get(f"/api/v1/feedback/{code}", headers=citizen)).json()
    assert hidden["answer"] is None and hidden["status"] == "in_progress"
    resolved = await act_ok(client, coordinator, fid, "approve")
    assert resolved["status"] == "resolved" and resolved["resolved_at"]

    view = (await client.get(f"/api/v1/feedback/{code}", headers=citizen)).json()
    assert view["answer"]["content"] == "Đã nạo vét cống, đường hết ngập."
    assert (await client.post(f"/api/v1/feedback/{code}/rating", json={"score": 5}, headers=citizen)).status_code == 201
    feed = (await client.get("/api/v1/feedback/public")).json()
    assert [item["tracking_code"] for item in feed["items"]] == [code]
    assert "contact" not in feed["items"][0]


async def test_the_citizen_sees_status_changes_but_no_notes_or_staff_names(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR, username="dieu.phoi.vien")
    handler = await make_staff(Role.HANDLER, AGENCY, username="can.bo.xu.ly")
    created = await citizen_submits(client)
    fid = created["id"]
    await act_ok(client, coordinator, fid, "comment", note="Nội bộ: người này phản ánh nhiều lần")
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY, note="Giao Sở Xây dựng")
    await act_ok(client, handler, fid, "start")
    await act_ok(client, handler, fid, "answer", answer="Trả lời bản nháp thứ nhất.")
    await act_ok(client, coordinator, fid, "return", note="Cần nêu rõ thời gian")
    response = await client.get(
        f"/api/v1/feedback/{created['tracking_code']}", headers={"Authorization": f"Bearer {created['access_token']}"}
    )
    text = response.text
    for secret in ("Nội bộ", "Giao Sở", "dieu.phoi.vien", "can.bo.xu.ly", "bản nháp", "Cần nêu rõ"):
        assert secret not in text
    assert [item["status"] for item in response.json()["history"]] == ["received", "assigned", "in_progress"]
    staff_events = (await client.get(f"{STAFF_URL}/{fid}/events", headers=coordinator.headers)).json()["items"]
    assert [event["action"] for event in staff_events] == ["submit", "comment", "assign", "start", "answer", "return"]
    assert staff_events[1]["actor"] == "dieu.phoi.vien"


async def test_an_action_needs_if_match_and_a_stale_etag_changes_nothing(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    fid = (await citizen_submits(client))["id"]
    url = f"{STAFF_URL}/{fid}/actions"
    missing = await client.post(url, json={"action": "comment", "note": "x"}, headers=coordinator.headers)
    assert missing.status_code == 428
    old = await etag_of(client, coordinator, fid)
    await act_ok(client, coordinator, fid, "comment", note="first")
    stale = await client.post(
        url, json={"action": "assign", "agency": AGENCY}, headers={**coordinator.headers, "If-Match": old}
    )
    assert stale.status_code == 412
    assert stale.headers["etag"] == '"v2"'
    detail = (await client.get(f"{STAFF_URL}/{fid}", headers=coordinator.headers)).json()
    assert detail["status"] == "received" and detail["version"] == 2
    assert await FeedbackEvent.filter(feedback_id=fid).count() == 2


async def test_two_coordinators_acting_at_once_exactly_one_wins(client: httpx.AsyncClient) -> None:
    first, second = await make_staff(Role.COORDINATOR), await make_staff(Role.COORDINATOR)
    fid = (await citizen_submits(client))["id"]
    etag = await etag_of(client, first, fid)

    async def assign(staff, agency):  # type: ignore[no-untyped-def]
        return await client.post(
            f"{STAFF_URL}/{fid}/actions",
            json={"action": "assign", "agency": agency},
            headers={**staff.headers, "If-Match": etag},
        )

    replies = await asyncio.gather(*(assign(s, AGENCY) for s in (first, second, first, second)))
    assert sorted(reply.status_code for reply in replies) == [200, 412, 412, 412]
    assert await FeedbackEvent.filter(feedback_id=fid, action="assign").count() == 1


async def test_a_move_outside_the_table_is_409_with_the_allowed_actions(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    fid = (await citizen_submits(client))["id"]
    response = await act(client, coordinator, fid, "approve")
    assert response.status_code == 409
    assert response.json()["allowed_actions"] == [
        "assign",
        "reject",
        "merge",
        "comment",
        "set_category",
        "set_priority",
        "extend",
    ]


async def test_a_handler_cannot_assign_and_a_coordinator_cannot_answer(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    handler = await make_staff(Role.HANDLER, AGENCY)
    fid = (await citizen_submits(client))["id"]
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY)
    assert (await act(client, handler, fid, "reassign", agency=AGENCY)).status_code == 403
    await act_ok(client, handler, fid, "start")
    assert (await act(client, coordinator, fid, "answer", answer="Trả lời thay đơn vị.")).status_code == 403


async def test_a_handler_of_another_agency_cannot_learn_the_report_exists(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    outsider = await make_staff(Role.HANDLER, "so-y-te")
    fid = (await citizen_submits(client))["id"]
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY)
    for path in (f"{STAFF_URL}/{fid}", f"{STAFF_URL}/{fid}/events", f"{STAFF_URL}/999999"):
        assert (await client.get(path, headers=outsider.headers)).status_code == 404
    blind = await client.post(
        f"{STAFF_URL}/{fid}/actions", json={"action": "start"}, headers={**outsider.headers, "If-Match": '"v2"'}
    )
    assert blind.status_code == 404


async def test_declining_sends_the_report_back_to_the_coordinators(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    handler = await make_staff(Role.HANDLER, AGENCY)
    fid = (await citizen_submits(client))["id"]
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY)
    assert (await act(client, handler, fid, "decline")).status_code == 422  # a note is required
    back = await act_ok(client, handler, fid, "decline", note="Không thuộc thẩm quyền Sở")
    assert back["status"] == "received" and back["agency"] is None
    assert (await client.get(f"{STAFF_URL}/{fid}", headers=handler.headers)).status_code == 404


async def test_a_merged_duplicate_gets_the_originals_answer(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    handler = await make_staff(Role.HANDLER, AGENCY)
    original, copy = await citizen_submits(client), await citizen_submits(client, title="Ngập đường (báo lại)")
    assert (await act(client, coordinator, original["id"], "merge", duplicate_of=original["id"])).status_code == 409
    merged = await act_ok(client, coordinator, copy["id"], "merge", duplicate_of=original["id"])
    assert merged["status"] == "duplicate" and merged["duplicate_of"] == original["id"]
    third = await citizen_submits(client)
    into_duplicate = await act(client, coordinator, third["id"], "merge", duplicate_of=copy["id"])
    assert into_duplicate.status_code == 409
    await act_ok(client, coordinator, original["id"], "assign", agency=AGENCY)
    await act_ok(client, handler, original["id"], "start")
    await act_ok(client, handler, original["id"], "answer", answer="Đã xử lý xong điểm ngập.")
    await act_ok(client, coordinator, original["id"], "approve")
    view = await client.get(
        f"/api/v1/feedback/{copy['tracking_code']}", headers={"Authorization": f"Bearer {copy['access_token']}"}
    )
    assert view.json()["status"] == "duplicate"
    assert view.json()["answer"]["content"] == "Đã xử lý xong điểm ngập."


async def test_reject_reopen_and_close_keep_their_timestamps(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    admin = await make_staff(Role.ADMIN)
    spam = (await citizen_submits(client))["id"]
    rejected = await act_ok(client, coordinator, spam, "reject", reason="spam")
    assert rejected["status"] == "rejected" and rejected["reject_reason"] == "spam" and rejected["rejected_at"]
    assert (await act(client, coordinator, spam, "reject", reason="nonsense")).status_code in (409, 422)
    fid = (await citizen_submits(client))["id"]
    await act_ok(client, admin, fid, "assign", agency=AGENCY)
    await act_ok(client, admin, fid, "start")
    await act_ok(client, admin, fid, "answer", answer="Trả lời của quản trị viên.")
    await act_ok(client, admin, fid, "approve")
    assert (await Feedback.get(id=spam)).handled_at is not None
    reopened = await act_ok(client, coordinator, fid, "reopen", note="Người dân báo vẫn ngập")
    assert reopened["status"] == "in_progress" and reopened["resolved_at"] is None
    assert (await Feedback.get(id=fid)).handled_at is None
    await act_ok(client, admin, fid, "answer", answer="Đã xử lý lần hai.")
    await act_ok(client, coordinator, fid, "approve")
    closed = await act_ok(client, coordinator, fid, "close")
    assert closed["status"] == "closed" and closed["closed_at"]
    stored = await Feedback.get(id=fid)
    assert stored.handled_at == stored.resolved_at  # closing keeps the moment it was handled


async def test_bad_action_bodies_are_422_naming_the_field(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    fid = (await citizen_submits(client))["id"]
    unknown = await act(client, coordinator, fid, "teleport")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "action"
    no_agency = await act(client, coordinator, fid, "assign")
    assert no_agency.json()["errors"][0]["field"] == "agency"
    bad_agency = await act(client, coordinator, fid, "assign", agency="khong-ton-tai")
    assert bad_agency.status_code == 422 and bad_agency.json()["errors"][0]["code"] == "unknown_agency"


async def test_bulk_assign_reports_each_item_on_its_own(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    ids = [(await citizen_submits(client))["id"] for _ in range(3)]
    await act_ok(client, coordinator, ids[1], "reject", reason="spam")
    response = await client.post(
        f"{STAFF_URL}/bulk-actions",
        json={"ids": [*ids, 987654], "action": "assign", "agency": AGENCY},
        headers=coordinator.headers,
    )
    assert response.status_code == 200, response.text
    results = {item["id"]: item for item in response.json()["results"]}
    assert results[ids[0]] == {"id": ids[0], "ok": True, "status": "assigned", "error": None}
    assert results[ids[1]]["ok"] is False and results[ids[1]]["error"]["status"] == 409
    assert results[ids[2]]["ok"] is True
    assert results[987654]["error"]["status"] == 404


async def test_a_coordinator_enters_a_report_received_by_phone(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR, username="tong.dai.vien")
    body = {
        "title": "Báo qua đường dây nóng",
        "content": "Người dân gọi điện báo cột điện nghiêng sắp đổ ở thôn Đông.",
        "category": "dien-chieu-sang",
        "channel": "hotline",
        "contact": {"name": "Lê Văn Cường", "phone": "0988111222"},
    }
    response = await client.post(STAFF_URL, json=body, headers=coordinator.headers)
    assert response.status_code == 201, response.text
    detail = (await client.get(response.headers["location"], headers=coordinator.headers)).json()
    assert detail["channel"] == "hotline" and detail["contact"]["name"] == "Lê Văn Cường"
    events = (await client.get(f"{STAFF_URL}/{detail['id']}/events", headers=coordinator.headers)).json()["items"]
    assert events[0]["actor"] == "tong.dai.vien"
    mobile = await client.post(STAFF_URL, json={**body, "channel": "mobile"}, headers=coordinator.headers)
    assert mobile.status_code == 422


async def test_a_supplement_is_refused_when_nothing_was_asked(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client)
    response = await client.post(
        f"/api/v1/feedback/{created['tracking_code']}/supplements",
        json={"content": "Thêm thông tin"},
        headers={"Authorization": f"Bearer {created['access_token']}"},
    )
    assert response.status_code == 409
    stranger = await client.post(f"/api/v1/feedback/{created['tracking_code']}/supplements", json={"content": "x"})
    assert stranger.status_code == 401
