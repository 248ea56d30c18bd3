"""A refusal says its reason: the role (403) or the status (409), and every
length or range error names its limit."""

from __future__ import annotations

from typing import Any

import httpx

from pakn.domain.roles import Role
from pakn.models import FeedbackEvent
from tests.e2e.workflow_helpers import STAFF_URL, act, act_ok, citizen_submits
from tests.staff import Staff, make_staff

AGENCY = "so-xay-dung"
EN = {"Accept-Language": "en"}


async def answered_report(client: httpx.AsyncClient) -> tuple[int, Staff, Staff]:
    coordinator = await make_staff(Role.COORDINATOR)
    handler = await make_staff(Role.HANDLER, AGENCY)
    fid = (await citizen_submits(client))["id"]
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY)
    await act_ok(client, handler, fid, "start")
    await act_ok(client, handler, fid, "answer", answer="Đã nạo vét cống, đường hết ngập.")
    return fid, coordinator, handler


async def test_a_handler_approving_is_told_its_role_is_the_reason(client: httpx.AsyncClient) -> None:
    fid, _, handler = await answered_report(client)
    response = await act(client, handler, fid, "approve")
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["type"].endswith("/role-not-allowed")
    assert body["detail"].startswith("Vai trò handler không được phép approve")
    assert (body["role"], body["allowed_actions"]) == ("handler", ["comment", "set_category", "set_priority"])
    etag = (await client.get(f"{STAFF_URL}/{fid}", headers=handler.headers)).headers["etag"]
    english = await client.post(
        f"{STAFF_URL}/{fid}/actions", json={"action": "approve"}, headers={**handler.headers, **EN, "If-Match": etag}
    )
    assert english.status_code == 403
    assert english.json()["detail"].startswith("The handler role may not approve")
    assert not await FeedbackEvent.filter(feedback_id=fid, action="approve").exists()


async def test_a_coordinator_answering_gets_403_and_a_move_outside_the_table_still_409(
    client: httpx.AsyncClient,
) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    handler = await make_staff(Role.HANDLER, AGENCY)
    fid = (await citizen_submits(client))["id"]
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY)
    await act_ok(client, handler, fid, "start")
    refused = await act(client, coordinator, fid, "answer", answer="Trả lời thay đơn vị xử lý.")
    assert refused.status_code == 403 and "Vai trò coordinator không được phép answer" in refused.json()["detail"]
    # Approving a report still in progress: the status is the reason, whatever the role.
    wrong_status = await act(client, coordinator, fid, "approve")
    assert wrong_status.status_code == 409 and "allowed_actions" in wrong_status.json()
    assert (await act(client, handler, fid, "approve")).status_code == 409


def only_error(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    return error


async def test_a_too_short_answer_names_the_minimum_in_both_languages(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    handler = await make_staff(Role.HANDLER, AGENCY)
    fid = (await citizen_submits(client))["id"]
    await act_ok(client, coordinator, fid, "assign", agency=AGENCY)
    await act_ok(client, handler, fid, "start")
    error = only_error(await act(client, handler, fid, "answer", answer="Xong."))
    assert (error["field"], error["message"]) == ("answer", "Phải có ít nhất 10 ký tự.")
    too_long = only_error(await act(client, handler, fid, "answer", answer="x" * 10_001))
    assert too_long["message"] == "Không được quá 10000 ký tự."
    etag = (await client.get(f"{STAFF_URL}/{fid}", headers=handler.headers)).headers["etag"]
    english = await client.post(
        f"{STAFF_URL}/{fid}/actions",
        json={"action": "answer", "answer": "Xong."},
        headers={**handler.headers, **EN, "If-Match": etag},
    )
    assert only_error(english)["message"] == "Must have at least 10 characters."


async def test_list_lengths_name_their_limit_in_items(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    url = f"{STAFF_URL}/bulk-actions"
    empty = await client.post(url, json={"action": "assign", "agency": AGENCY, "ids": []}, headers=coordinator.headers)
    assert only_error(empty)["message"] == "Phải có ít nhất 1 mục."
    many = {"action": "reject", "reason": "spam", "ids": list(range(1, 202))}
    response = await client.post(url, json=many, headers={**coordinator.headers, **EN})
    assert only_error(response)["message"] == "Must have at most 200 items."
    admin = await make_staff(Role.ADMIN)
    emails = [f"vp{n}@so-a.gov.vn" for n in range(51)]
    body = {"code": "so-a", "name": "Sở A", "emails": emails}
    reply = await client.post("/api/v1/admin/agencies", json=body, headers=admin.headers)
    assert only_error(reply)["message"] == "Không được quá 50 mục."
