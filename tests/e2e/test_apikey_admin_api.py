"""/api/v1/admin/api-clients: admins issue, list and revoke Open311 client keys."""

from __future__ import annotations

import hashlib

import httpx

from pakn.domain.roles import Role
from pakn.models import ApiClient
from tests.staff import make_staff

URL = "/api/v1/admin/api-clients"
FORM = {
    "service_code": "khac",
    "address_string": "Phường Hoàn Kiếm, Hà Nội",
    "description": "Ứng dụng đối tác gửi thử một phản ánh qua Open311.",
}


async def test_an_admin_issues_a_key_that_works_until_revoked(client: httpx.AsyncClient) -> None:
    admin = await make_staff(Role.ADMIN)
    created = await client.post(URL, json={"name": "Ứng dụng đối tác"}, headers=admin.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["cache-control"] == "no-store"
    assert body["api_key"].startswith("o311_") and body["created_at"].endswith("+07:00") and body["revoked_at"] is None
    row = await ApiClient.get(id=body["id"])
    assert row.key_hash == hashlib.sha256(body["api_key"].encode()).hexdigest()

    used = await client.post("/open311/v2/requests.json", data={**FORM, "api_key": body["api_key"]})
    assert used.status_code == 200, used.text
    listed = (await client.get(URL, headers=admin.headers)).json()["items"]
    assert [item["name"] for item in listed] == ["Ứng dụng đối tác"]
    assert "api_key" not in listed[0] and listed[0]["last_used_at"]

    revoked = await client.post(f"{URL}/{body['id']}/revoke", headers=admin.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    refused = await client.post("/open311/v2/requests.json", data={**FORM, "api_key": body["api_key"]})
    assert refused.status_code == 403


async def test_only_admins_manage_keys(client: httpx.AsyncClient) -> None:
    coordinator = await make_staff(Role.COORDINATOR)
    assert (await client.get(URL)).status_code == 401
    assert (await client.get(URL, headers=coordinator.headers)).status_code == 403
    assert (await client.post(URL, json={"name": "X"}, headers=coordinator.headers)).status_code == 403
    assert (await client.post(f"{URL}/1/revoke", headers=coordinator.headers)).status_code == 403


async def test_names_ids_and_methods_are_checked(client: httpx.AsyncClient) -> None:
    admin = await make_staff(Role.ADMIN)
    assert (await client.post(URL, json={"name": "Một"}, headers=admin.headers)).status_code == 201
    taken = await client.post(URL, json={"name": "Một"}, headers=admin.headers)
    assert taken.status_code == 409 and taken.headers["content-type"] == "application/problem+json"
    assert (await client.post(URL, json={"name": ""}, headers=admin.headers)).status_code == 422
    assert (await client.post(URL, json={"name": "A", "key": "x"}, headers=admin.headers)).status_code == 422
    for bad in ("999", "abc", "9" * 30):
        assert (await client.post(f"{URL}/{bad}/revoke", headers=admin.headers)).status_code == 404
    other = await client.put(URL, headers=admin.headers)
    assert other.status_code == 405 and other.headers["allow"] == "GET, HEAD, POST"


async def test_the_routes_are_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert set(paths[URL]) == {"get", "post"} and set(paths[f"{URL}/{{client_id}}/revoke"]) == {"post"}
    assert not [path for path in paths if path.startswith("/open311")]
