"""Staff sign-in over HTTP: tokens, expiry, logout, disabled accounts, the throttle
(per account and address, behind trusted proxies only)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from pakn.accounts import service
from pakn.accounts.auth import issue_token
from pakn.app import create_app
from pakn.domain.roles import Role
from pakn.models import SignInThrottle, StaffToken, StaffUser
from pakn.settings import Settings
from tests.staff import PASSWORD, make_staff

TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"
LOGOUT = "/api/v1/auth/logout"
EN = {"Accept-Language": "en"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await client.post(TOKEN, json={"username": username, "password": password}, headers=headers)


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


async def test_five_failures_block_that_account_from_that_address_with_a_growing_wait(
    client: httpx.AsyncClient,
) -> None:
    staff = await make_staff(Role.VIEWER, username="vo.giang")
    for _ in range(5):
        assert (await sign_in(client, "vo.giang", "sai-mat-khau-2026")).status_code == 401
    blocked = await sign_in(client, "vo.giang")  # even the right password
    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"
    assert 55 < int(blocked.headers["retry-after"]) <= 60
    assert blocked.json()["retry_after"] == int(blocked.headers["retry-after"])
    assert blocked.json()["scope"] == "account-address"
    english = await client.post(TOKEN, json={"username": "vo.giang", "password": PASSWORD}, headers=EN)
    assert english.json()["title"] == "Too many failed sign-ins"
    # Waited out, the next failure blocks twice as long.
    await SignInThrottle.filter(blocked_until__not_isnull=True).update(blocked_until=datetime.now(UTC))
    assert (await sign_in(client, "vo.giang", "sai-mat-khau-2026")).status_code == 401
    assert 115 < int((await sign_in(client, "vo.giang")).headers["retry-after"]) <= 120
    # Another account at the same address is not held up, and tokens still work.
    other = await make_staff(Role.VIEWER)
    assert (await sign_in(client, other.user.username)).status_code == 200
    assert (await client.get(ME, headers=staff.headers)).status_code == 200


@asynccontextmanager
async def client_at(app: Starlette, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 41234))
    async with httpx.AsyncClient(transport=transport, base_url="http://pakn.test") as http:
        yield http


async def test_five_addresses_cannot_lock_the_admin_out_from_a_sixth(app: Starlette, clean_db: None) -> None:
    await make_staff(Role.ADMIN, username="quan.tri")
    for n in range(1, 6):
        async with client_at(app, f"198.51.100.{n}") as stranger:
            for _ in range(5):
                assert (await sign_in(stranger, "quan.tri", "doan-mat-khau-2026")).status_code == 401
            assert (await sign_in(stranger, "quan.tri")).status_code == 429
    async with client_at(app, "203.0.113.10") as office:
        assert (await sign_in(office, "quan.tri")).status_code == 200


async def test_the_address_is_read_from_x_forwarded_for_only_from_a_trusted_proxy(
    settings: Settings, clean_db: None
) -> None:
    await make_staff(Role.VIEWER, username="dang.khoa")
    behind_proxy = settings.model_copy(update={"trusted_proxies": [ip_network("10.0.0.0/8")]})
    app = create_app(behind_proxy, manage_database=False)
    async with LifespanManager(app), client_at(app, "10.0.0.5") as proxy:
        guesser = {"X-Forwarded-For": "192.0.2.1"}
        for _ in range(5):
            assert (await sign_in(proxy, "dang.khoa", "sai-mat-khau-2026", guesser)).status_code == 401
        assert (await sign_in(proxy, "dang.khoa", PASSWORD, guesser)).status_code == 429
        # The proxy's other clients are other addresses.
        assert (await sign_in(proxy, "dang.khoa", PASSWORD, {"X-Forwarded-For": "192.0.2.2"})).status_code == 200
        async with client_at(app, "198.51.100.7") as direct:
            for n in range(5):  # a forged header changes nothing from an untrusted peer
                forged = {"X-Forwarded-For": f"203.0.113.{n}"}
                assert (await sign_in(direct, "dang.khoa", "sai-mat-khau-2026", forged)).status_code == 401
            forged = {"X-Forwarded-For": "203.0.113.99"}
            assert (await sign_in(direct, "dang.khoa", PASSWORD, forged)).status_code == 429
