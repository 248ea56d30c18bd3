"""Every staff route against every role: 401 without a token, 403 outside the
role, 404 outside the agency's reach."""

from __future__ import annotations

import httpx
import pytest

from pakn.domain.roles import Role
from pakn.models import Feedback
from tests.e2e.workflow_helpers import STAFF_URL, citizen_submits
from tests.staff import Staff, make_staff

AGENCY, OTHER = "so-xay-dung", "so-y-te"

# (role, agency of the account) → label used in the expectations below.
ACCOUNTS = {
    "admin": (Role.ADMIN, None),
    "coordinator": (Role.COORDINATOR, None),
    "handler": (Role.HANDLER, AGENCY),
    "handler_elsewhere": (Role.HANDLER, OTHER),
    "viewer": (Role.VIEWER, None),
    "viewer_elsewhere": (Role.VIEWER, OTHER),
}

READ = {
    "admin": 200,
    "coordinator": 200,
    "handler": 200,
    "handler_elsewhere": 404,
    "viewer": 200,
    "viewer_elsewhere": 404,
}
ACT = {
    "admin": 200,
    "coordinator": 200,
    "handler": 200,
    "handler_elsewhere": 404,
    "viewer": 403,
    "viewer_elsewhere": 403,
}
COORDINATE = {
    "admin": 200,
    "coordinator": 200,
    "handler": 403,
    "handler_elsewhere": 403,
    "viewer": 403,
    "viewer_elsewhere": 403,
}
CREATE = {**COORDINATE, "admin": 201, "coordinator": 201}
SINCE = "2026-01-01T00:00:00+07:00"


async def assigned_report(client: httpx.AsyncClient) -> int:
    fid = (await citizen_submits(client))["id"]
    await Feedback.filter(id=fid).update(agency_id=AGENCY, status="assigned")
    return fid


async def account(label: str) -> Staff:
    role, agency = ACCOUNTS[label]
    return await make_staff(role, agency)


def requests_for(fid: int) -> dict[str, tuple[str, str, dict | None, dict[str, int]]]:
    offline = {"content": "Báo qua điện thoại: đèn đường hỏng ở ngõ 5.", "channel": "hotline"}
    return {
        "detail": ("GET", f"{STAFF_URL}/{fid}", None, READ),
        "events": ("GET", f"{STAFF_URL}/{fid}/events", None, READ),
        "comment": ("POST", f"{STAFF_URL}/{fid}/actions", {"action": "comment", "note": "ghi chú"}, ACT),
        "bulk": ("POST", f"{STAFF_URL}/bulk-actions", {"ids": [fid], "action": "reject", "reason": "spam"}, COORDINATE),
        "reject_spam": ("POST", f"{STAFF_URL}/reject-spam", {"device_id": "may-rac", "since": SINCE}, COORDINATE),
        "create": ("POST", STAFF_URL, offline, CREATE),
    }


@pytest.mark.parametrize("route", ["detail", "events", "comment", "bulk", "reject_spam", "create"])
@pytest.mark.parametrize("label", list(ACCOUNTS))
async def test_each_role_gets_what_its_reach_allows(client: httpx.AsyncClient, route: str, label: str) -> None:
    fid = await assigned_report(client)
    staff = await account(label)
    method, url, body, expected = requests_for(fid)[route]
    headers = {**staff.headers, "If-Match": '"v1"'}
    response = await client.request(method, url, json=body, headers=headers)
    assert response.status_code == expected[label], response.text


@pytest.mark.parametrize("route", ["detail", "events", "comment", "bulk", "reject_spam", "create"])
async def test_every_staff_route_needs_a_valid_token(client: httpx.AsyncClient, route: str) -> None:
    fid = await assigned_report(client)
    method, url, body, _ = requests_for(fid)[route]
    for headers in ({}, {"Authorization": "Bearer pst_forged"}, {"Authorization": "Basic YWRtaW46YWRtaW4="}):
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"] == "Bearer"


async def test_a_citizen_token_opens_no_staff_route(client: httpx.AsyncClient) -> None:
    created = await citizen_submits(client)
    response = await client.get(
        f"{STAFF_URL}/{created['id']}", headers={"Authorization": f"Bearer {created['access_token']}"}
    )
    assert response.status_code == 401


async def test_an_id_too_long_to_be_a_row_is_404_not_500(client: httpx.AsyncClient) -> None:
    admin = await make_staff(Role.ADMIN)
    for path in (
        f"{STAFF_URL}/{'9' * 5000}",
        f"{STAFF_URL}/{'9' * 19}/events",
        "/api/v1/admin/users/99999999999999999999",
    ):
        assert (await client.get(path, headers=admin.headers)).status_code == 404
