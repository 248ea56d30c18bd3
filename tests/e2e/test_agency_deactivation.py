"""An agency that still holds open reports cannot be deactivated: 409 with how
many, per status, until the coordinators have handed them to another agency."""

from __future__ import annotations

import httpx
import pytest

from pakn.domain.roles import Role
from pakn.models import Agency, Feedback
from tests.e2e.workflow_helpers import act_ok, citizen_submits
from tests.staff import Staff, make_staff

AGENCIES = "/api/v1/admin/agencies"


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> Staff:
    return await make_staff(Role.ADMIN)


async def assigned_to(client: httpx.AsyncClient, coordinator: Staff, agency: str) -> int:
    created = await citizen_submits(client)
    await act_ok(client, coordinator, created["id"], "assign", agency=agency)
    return int(created["id"])


async def test_an_agency_with_open_reports_is_not_deactivated_and_says_how_many(
    client: httpx.AsyncClient, admin: Staff
) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    handler = await make_staff(Role.HANDLER, "dien-luc")
    first, second, third = [await assigned_to(client, coordinator, "dien-luc") for _ in range(3)]
    await act_ok(client, handler, second, "start")
    await act_ok(client, coordinator, third, "reject", reason="out_of_scope", note="Không thuộc thẩm quyền")

    refused = await client.post(f"{AGENCIES}/dien-luc/deactivate", headers=admin.headers)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["open_reports"] == 2 and body["by_status"] == {"assigned": 1, "in_progress": 1}
    assert "còn 2 phản ánh chưa xử lý xong" in body["detail"]
    english = await client.post(f"{AGENCIES}/dien-luc/deactivate", headers={**admin.headers, "Accept-Language": "en"})
    assert "still holds 2 open reports" in english.json()["detail"]
    patched = await client.patch(f"{AGENCIES}/dien-luc", json={"is_active": False}, headers=admin.headers)
    assert patched.status_code == 409
    assert (await Agency.get(code="dien-luc")).is_active
    assert await Feedback.filter(agency_id="dien-luc", status__in=["assigned", "in_progress"]).count() == 2

    for report in (first, second):
        await act_ok(client, coordinator, report, "reassign", agency="van-phong-ubnd")
    done = await client.post(f"{AGENCIES}/dien-luc/deactivate", headers=admin.headers)
    assert done.status_code == 200, done.text
    assert done.json()["is_active"] is False
