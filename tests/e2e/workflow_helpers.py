"""Shortcuts for workflow tests: submit as a citizen, act as staff with the ETag."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import feedback_body, new_key
from tests.staff import Staff

STAFF_URL = "/api/v1/staff/feedback"


async def citizen_submits(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/feedback", json=feedback_body(**overrides), headers=new_key())
    assert response.status_code == 201, response.text
    return response.json()


async def etag_of(client: httpx.AsyncClient, staff: Staff, feedback_id: int) -> str:
    response = await client.get(f"{STAFF_URL}/{feedback_id}", headers=staff.headers)
    assert response.status_code == 200, response.text
    return response.headers["etag"]


async def act(client: httpx.AsyncClient, staff: Staff, feedback_id: int, action: str, **fields: Any) -> httpx.Response:
    headers = {**staff.headers, "If-Match": await etag_of(client, staff, feedback_id)}
    return await client.post(f"{STAFF_URL}/{feedback_id}/actions", json={"action": action, **fields}, headers=headers)


async def act_ok(
    client: httpx.AsyncClient, staff: Staff, feedback_id: int, action: str, **fields: Any
) -> dict[str, Any]:
    response = await act(client, staff, feedback_id, action, **fields)
    assert response.status_code == 200, response.text
    return response.json()
