"""Who may call each admin and auth route: role by role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from pakn.accounts.passwords import hash_password
from pakn.api import accounts as endpoints
from pakn.domain.roles import Role
from tests import staff
from tests.staff import PASSWORD, make_staff

# argon2 is slow by design; no one signs in here, so one hash serves every account.
ONE_HASH = hash_password(PASSWORD)


@pytest.fixture(autouse=True)
def fast_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff, "hash_password", lambda password: ONE_HASH)


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # {user} and {agency} are filled in per test
    body: dict[str, Any] | None = None
    readers: frozenset[Role] = frozenset({Role.ADMIN})

    def url(self, user_id: int) -> str:
        return self.path.replace("{user}", str(user_id)).replace("{agency}", "so-y-te")


COORDINATORS = frozenset({Role.ADMIN, Role.COORDINATOR})
NEW_USER = {"username": "moi.tao", "password": "mật-khẩu-ban-đầu-2026", "role": "viewer"}
NEW_AGENCY = {"code": "so-moi", "name": "Sở mới"}

ADMIN_CALLS = {
    "list users": Call("GET", "/api/v1/admin/users"),
    "create a user": Call("POST", "/api/v1/admin/users", NEW_USER),
    "read a user": Call("GET", "/api/v1/admin/users/{user}"),
    "update a user": Call("PATCH", "/api/v1/admin/users/{user}", {"full_name": "Tên mới"}),
    "disable a user": Call("POST", "/api/v1/admin/users/{user}/disable"),
    "list agencies": Call("GET", "/api/v1/admin/agencies", readers=COORDINATORS),
    "create an agency": Call("POST", "/api/v1/admin/agencies", NEW_AGENCY),
    "read an agency": Call("GET", "/api/v1/admin/agencies/{agency}", readers=COORDINATORS),
    "update an agency": Call("PATCH", "/api/v1/admin/agencies/{agency}", {"emails": ["a@b.vn"]}),
    "deactivate an agency": Call("POST", "/api/v1/admin/agencies/{agency}/deactivate"),
}
EVERYONE = frozenset(Role)
SIGNED_IN_CALLS = {
    "read who I am": Call("GET", "/api/v1/auth/me", readers=EVERYONE),
    "log out": Call("POST", "/api/v1/auth/logout", readers=EVERYONE),
}
ALL_CALLS = {**ADMIN_CALLS, **SIGNED_IN_CALLS}


async def call(client: httpx.AsyncClient, spec: Call, user_id: int, headers: dict[str, str]) -> httpx.Response:
    return await client.request(spec.method, spec.url(user_id), json=spec.body, headers=headers)


@pytest.mark.parametrize("name", ALL_CALLS)
@pytest.mark.parametrize("role", list(Role))
async def test_each_role_reaches_only_what_it_may(client: httpx.AsyncClient, name: str, role: Role) -> None:
    spec = ALL_CALLS[name]
    caller = await make_staff(role, agency="so-y-te" if role in (Role.HANDLER, Role.VIEWER) else None)
    target = await make_staff(Role.VIEWER)
    response = await call(client, spec, target.user.id, caller.headers)
    if role in spec.readers:
        assert 200 <= response.status_code < 300, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["type"].endswith("/forbidden")


@pytest.mark.parametrize("name", ALL_CALLS)
async def test_without_a_token_every_route_is_401(client: httpx.AsyncClient, name: str) -> None:
    target = await make_staff(Role.VIEWER)
    response = await call(client, ALL_CALLS[name], target.user.id, {})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_forbidden_write_changes_nothing(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    target = await make_staff(Role.VIEWER)
    await call(client, ADMIN_CALLS["disable a user"], target.user.id, coordinator.headers)
    assert (await client.get("/api/v1/auth/me", headers=target.headers)).status_code == 200


def test_the_matrix_covers_every_admin_route() -> None:
    served = {
        (method, route.path.replace("{user_id:id}", "{user}").replace("{code}", "{agency}"))
        for route in endpoints.routes
        if isinstance(route, Route)
        and route.path.startswith("/api/v1/admin")
        and hasattr(route.endpoint, "__contract__")  # not the 405 fallbacks
        for method in route.methods or ()
        if method != "HEAD"
    }
    assert served == {(spec.method, spec.path) for spec in ADMIN_CALLS.values()}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/admin/users", "GET, HEAD, POST"),
        ("DELETE", "/api/v1/admin/users/1", "GET, HEAD, PATCH"),
        ("DELETE", "/api/v1/admin/agencies", "GET, HEAD, POST"),
        ("PUT", "/api/v1/admin/agencies/so-y-te", "GET, HEAD, PATCH"),
        ("GET", "/api/v1/auth/token", "POST"),
    ],
)
async def test_another_method_is_405_naming_every_allowed_one(
    client: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
