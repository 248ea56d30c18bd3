"""Staff sign-in over HTTP: tokens, expiry, logout, disabled accounts, the throttle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pakn.accounts import service
from pakn.accounts.auth import issue_token
from pakn.domain.roles import Role
from pakn.models import StaffToken, StaffUser
from tests.staff import PASSWORD, make_staff

TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"
LOGOUT = "/api/v1/auth/logout"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post(TOKEN, json={"username": username, "password": password})


async def test_a_staff_member_signs_in_and_reads_who_they_are(client: httpx.AsyncClient) -> None:
    staff = await make_staff(Role.HANDLER, agency="so-xay-dung", username="le.cuc")
    response = await sign_in(client, "Le.Cuc")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 12 * 3600
    assert body["access_token"].startswith("pst_")
    assert response.headers["cache-control"] == "no-store"
    me = await client.get(ME, headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json() == {
        "id": staff.user.id,
        "username": "le.cuc",
        "full_name": "Cán bộ handler",
        "role": "handler",
        "agency": "so-xay-dung",
        "email": None,
    }
    assert (await StaffUser.get(id=staff.user.id)).last_login_at is not None


async def test_a_wrong_password_and_an_unknown_name_get_the_same_401(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_staff(Role.VIEWER, username="pham.dung")
    checked: list[str | None] = []
    verify = service.verify_password
    monkeypatch.setattr(service, "verify_password", lambda p, h: checked.append(h) or verify(p, h))
    wrong = await sign_in(client, "pham.dung", "sai-mat-khau-2026")
    unknown = await sign_in(client, "khong.co.ai", "sai-mat-khau-2026")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["detail"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    # Both paths run argon2: the unknown name against the dummy hash.
    assert len(checked) == 2 and checked[0] is not None and checked[1] is None


async def test_a_malformed_sign_in_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(TOKEN, json={"username": "an"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["password"]


async def test_an_expired_token_is_refused(client: httpx.AsyncClient) -> None:
    staff = await make_staff(Role.VIEWER)
    long_ago = datetime.now(UTC) - timedelta(hours=13)
    expired, _ = await issue_token(staff.user, long_ago, timedelta(hours=12))
    response = await client.get(ME, headers=bearer(expired))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert (await client.get(ME, headers=bearer(staff.token))).status_code == 200


async def test_logging_out_revokes_only_the_token_used(client: httpx.AsyncClient) -> None:
    staff = await make_staff(Role.COORDINATOR)
    other = (await sign_in(client, staff.user.username)).json()["access_token"]
    assert (await client.post(LOGOUT, headers=staff.headers)).status_code == 204
    assert (await client.get(ME, headers=staff.headers)).status_code == 401
    assert (await client.post(LOGOUT, headers=staff.headers)).status_code == 401
    assert (await client.get(ME, headers=bearer(other))).status_code == 200


async def test_a_disabled_account_can_neither_use_its_token_nor_sign_in(client: httpx.AsyncClient) -> None:
    staff = await make_staff(Role.VIEWER)
    await StaffUser.filter(id=staff.user.id).update(is_active=False)
    assert (await client.get(ME, headers=staff.headers)).status_code == 401
    assert (await sign_in(client, staff.user.username)).status_code == 401


async def test_disabling_through_the_api_revokes_the_tokens(client: httpx.AsyncClient) -> None:
    admin = await make_staff(Role.ADMIN)
    staff = await make_staff(Role.HANDLER, agency="so-y-te")
    response = await client.post(f"/api/v1/admin/users/{staff.user.id}/disable", headers=admin.headers)
    assert response.status_code == 200
    assert (await client.get(ME, headers=staff.headers)).status_code == 401
    assert not await StaffToken.exists(user_id=staff.user.id, revoked_at=None)


async def test_without_a_token_or_with_a_foreign_one_staff_routes_answer_401(
    client: httpx.AsyncClient,
) -> None:
    for headers in (
        {},
        bearer("pst_not-a-real-token"),
        bearer("citizen-access-token"),
        {"Authorization": "Basic eA=="},
    ):
        response = await client.get(ME, headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"


async def test_five_failures_block_the_account_with_429_and_retry_after(client: httpx.AsyncClient) -> None:
    staff = await make_staff(Role.VIEWER, username="vo.giang")
    for _ in range(5):
        assert (await sign_in(client, "vo.giang", "sai-mat-khau-2026")).status_code == 401
    blocked = await sign_in(client, "vo.giang")  # even the right password
    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"
    assert 14 * 60 < int(blocked.headers["retry-after"]) <= 15 * 60
    assert blocked.json()["retry_after"] == int(blocked.headers["retry-after"])
    # The address is blocked too, for any account.
    other = await make_staff(Role.VIEWER)
    assert (await sign_in(client, other.user.username)).status_code == 429
    assert (await client.get(ME, headers=staff.headers)).status_code == 200  # tokens still work
