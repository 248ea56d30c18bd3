"""Managing staff accounts through /api/v1/admin/users."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pakn.domain.roles import Role
from tests.staff import Staff, make_staff

USERS = "/api/v1/admin/users"
NEW_PASSWORD = "mật-khẩu-ban-đầu-2026"


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> Staff:
    return await make_staff(Role.ADMIN)


def account(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": "Hoang.Em",
        "password": NEW_PASSWORD,
        "role": "handler",
        "agency": "so-xay-dung",
        "full_name": "Hoàng Văn Em",
        "email": "Em.Hoang@Example.vn",
    }
    body.update(overrides)
    return body


async def test_an_admin_creates_an_account_that_can_sign_in(client: httpx.AsyncClient, admin: Staff) -> None:
    response = await client.post(USERS, json=account(), headers=admin.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"{USERS}/{created['id']}")
    assert {key: created[key] for key in ("username", "role", "agency", "email", "is_active")} == {
        "username": "hoang.em",
        "role": "handler",
        "agency": "so-xay-dung",
        "email": "em.hoang@example.vn",
        "is_active": True,
    }
    assert created["created_at"].endswith("+07:00")
    assert "password" not in created and "password_hash" not in created
    signed_in = await client.post("/api/v1/auth/token", json={"username": "hoang.em", "password": NEW_PASSWORD})
    assert signed_in.status_code == 200


async def test_a_taken_username_is_409_whatever_its_case(client: httpx.AsyncClient, admin: Staff) -> None:
    assert (await client.post(USERS, json=account(), headers=admin.headers)).status_code == 201
    again = await client.post(USERS, json=account(username="HOANG.EM"), headers=admin.headers)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/username-taken")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"agency": None}, "agency"),  # a handler needs one
        ({"agency": "khong-ton-tai"}, "agency"),
        ({"role": "coordinator"}, "agency"),  # only handlers and viewers have one
        ({"role": "boss"}, "role"),
        ({"password": "ngắn"}, "password"),
        ({"email": "not-an-address"}, "email"),
        ({"username": "Nguyễn"}, "username"),
        ({"password_hash": "x"}, "password_hash"),
    ],
)
async def test_invalid_accounts_are_422_naming_the_field(
    client: httpx.AsyncClient, admin: Staff, overrides: dict[str, Any], field: str
) -> None:
    response = await client.post(USERS, json=account(**overrides), headers=admin.headers)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_an_inactive_agency_takes_no_new_staff(client: httpx.AsyncClient, admin: Staff) -> None:
    await client.post("/api/v1/admin/agencies/so-y-te/deactivate", headers=admin.headers)
    response = await client.post(USERS, json=account(agency="so-y-te"), headers=admin.headers)
    assert response.status_code == 422


async def test_accounts_are_listed_page_by_page(client: httpx.AsyncClient, admin: Staff) -> None:
    for n in range(4):
        body = account(username=f"can-bo-{n}", role="viewer", agency=None, email=None)
        assert (await client.post(USERS, json=body, headers=admin.headers)).status_code == 201
    first = (await client.get(USERS, params={"limit": 3}, headers=admin.headers)).json()
    second = (
        await client.get(USERS, params={"limit": 3, "cursor": first["next_cursor"]}, headers=admin.headers)
    ).json()
    names = [user["username"] for user in first["items"] + second["items"]]
    assert names == [admin.user.username, "can-bo-0", "can-bo-1", "can-bo-2", "can-bo-3"]
    assert second["next_cursor"] is None
    assert all("password_hash" not in user for user in first["items"] + second["items"])
    bad = await client.get(USERS, params={"cursor": "garbage!"}, headers=admin.headers)
    assert bad.status_code == 400


async def test_an_admin_reads_and_updates_an_account(client: httpx.AsyncClient, admin: Staff) -> None:
    created = (await client.post(USERS, json=account(), headers=admin.headers)).json()
    url = f"{USERS}/{created['id']}"
    assert (await client.get(url, headers=admin.headers)).json() == created
    changes = {"role": "viewer", "agency": None, "full_name": "Hoàng Em", "email": None}
    updated = await client.patch(url, json=changes, headers=admin.headers)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert (body["role"], body["agency"], body["full_name"], body["email"]) == (
        "viewer",
        None,
        "Hoàng Em",
        None,
    )


async def test_a_patch_refuses_null_where_null_means_nothing(client: httpx.AsyncClient, admin: Staff) -> None:
    created = (await client.post(USERS, json=account(), headers=admin.headers)).json()
    response = await client.patch(f"{USERS}/{created['id']}", json={"role": None}, headers=admin.headers)
    assert response.status_code == 422


async def test_disabling_by_patch_revokes_and_can_be_undone(client: httpx.AsyncClient, admin: Staff) -> None:
    staff = await make_staff(Role.HANDLER, agency="so-y-te")
    url = f"{USERS}/{staff.user.id}"
    disabled = await client.patch(url, json={"is_active": False}, headers=admin.headers)
    assert disabled.json()["is_active"] is False
    assert (await client.get("/api/v1/auth/me", headers=staff.headers)).status_code == 401
    enabled = await client.patch(url, json={"is_active": True}, headers=admin.headers)
    assert enabled.json()["is_active"] is True
    # Re-enabling does not bring revoked tokens back.
    assert (await client.get("/api/v1/auth/me", headers=staff.headers)).status_code == 401


async def test_an_admin_cannot_lock_everyone_out(client: httpx.AsyncClient, admin: Staff) -> None:
    response = await client.post(f"{USERS}/{admin.user.id}/disable", headers=admin.headers)
    assert response.status_code == 409
    assert (await client.get("/api/v1/auth/me", headers=admin.headers)).status_code == 200


@pytest.mark.parametrize("user_id", ["0", "999999", "abc", "9" * 30])
async def test_an_unknown_account_is_404(client: httpx.AsyncClient, admin: Staff, user_id: str) -> None:
    assert (await client.get(f"{USERS}/{user_id}", headers=admin.headers)).status_code == 404
    assert (await client.post(f"{USERS}/{user_id}/disable", headers=admin.headers)).status_code == 404
