"""Managing agencies (đơn vị xử lý) through /api/v1/admin/agencies."""

from __future__ import annotations

import httpx
import pytest

from pakn.domain.roles import Role
from tests.staff import Staff, make_staff

AGENCIES = "/api/v1/admin/agencies"


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> Staff:
    return await make_staff(Role.ADMIN)


async def test_the_configured_agencies_are_listed_in_vietnamese_order(client: httpx.AsyncClient, admin: Staff) -> None:
    response = await client.get(AGENCIES, headers=admin.headers)
    assert response.status_code == 200
    names = [agency["name"] for agency in response.json()["items"]]
    assert names[:3] == ["Công an tỉnh", "Công ty Cấp nước tỉnh", "Công ty Điện lực tỉnh"]
    assert "Sở Xây dựng" in names and len(names) == 9


async def test_an_admin_creates_an_agency_with_its_report_addresses(client: httpx.AsyncClient, admin: Staff) -> None:
    body = {
        "code": "ubnd-phuong-ba-dinh",
        "name": "UBND phường Ba Đình",
        "emails": ["VP@BaDinh.gov.vn", "vp@badinh.gov.vn"],
    }
    response = await client.post(AGENCIES, json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["emails"] == ["vp@badinh.gov.vn"]
    assert created["is_active"] is True
    assert response.headers["location"].endswith(f"{AGENCIES}/ubnd-phuong-ba-dinh")
    assert (await client.get(f"{AGENCIES}/ubnd-phuong-ba-dinh", headers=admin.headers)).json() == created
    again = await client.post(AGENCIES, json=body, headers=admin.headers)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "Sở Y Tế", "name": "Sở Y tế"}, "code"),
        ({"code": "so-moi", "name": ""}, "name"),
        ({"code": "so-moi", "name": "Sở mới", "emails": ["không phải e-mail"]}, "emails.0"),
        ({"code": "so-moi", "name": "Sở mới", "emails": "a@b.vn"}, "emails"),
        ({"code": "so-moi", "name": "Sở mới", "manager": "x"}, "manager"),
    ],
)
async def test_invalid_agencies_are_422(
    client: httpx.AsyncClient, admin: Staff, body: dict[str, object], field: str
) -> None:
    response = await client.post(AGENCIES, json=body, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_an_admin_renames_an_agency_and_sets_its_addresses(client: httpx.AsyncClient, admin: Staff) -> None:
    changes = {"name": "Sở Y tế tỉnh Bắc Ninh", "emails": ["syt@bacninh.gov.vn"]}
    response = await client.patch(f"{AGENCIES}/so-y-te", json=changes, headers=admin.headers)
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["emails"]) == (changes["name"], changes["emails"])


async def test_a_deactivated_agency_leaves_the_default_list(client: httpx.AsyncClient, admin: Staff) -> None:
    response = await client.post(f"{AGENCIES}/dien-luc/deactivate", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    active = (await client.get(AGENCIES, headers=admin.headers)).json()["items"]
    everything = (await client.get(AGENCIES, params={"include_inactive": "true"}, headers=admin.headers)).json()
    assert "dien-luc" not in [agency["code"] for agency in active]
    assert "dien-luc" in [agency["code"] for agency in everything["items"]]
    reactivated = await client.patch(f"{AGENCIES}/dien-luc", json={"is_active": True}, headers=admin.headers)
    assert reactivated.json()["is_active"] is True


async def test_unknown_agencies_and_bad_flags(client: httpx.AsyncClient, admin: Staff) -> None:
    assert (await client.get(f"{AGENCIES}/khong-co", headers=admin.headers)).status_code == 404
    assert (await client.get(f"{AGENCIES}/{'x' * 300}", headers=admin.headers)).status_code == 404
    assert (await client.patch(f"{AGENCIES}/khong-co", json={"name": "X"}, headers=admin.headers)).status_code == 404
    flag = await client.get(AGENCIES, params={"include_inactive": "maybe"}, headers=admin.headers)
    assert flag.status_code == 422  # a bad query value, as on every list (pakn.core.query)
