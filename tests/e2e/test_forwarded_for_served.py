"""`pakn serve` believes `X-Forwarded-For` from PAKN_TRUSTED_PROXIES only: a
local client without that setting cannot pose as another address (uvicorn's
own default trusts any peer on 127.0.0.1), and a listed proxy is believed."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx

from tests.served import Served, serve

PASSWORD = "mật-khẩu-đủ-dài-2026"
FORGED = "203.0.113.9"


async def recorded_address(served: Served) -> str:
    """The client address stored with a report sent with a forged header."""
    made = await asyncio.to_thread(
        served.pakn, "user", "create", "dieu.phoi", "--role", "coordinator", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert made.returncode == 0, made.stderr
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        created = await http.post(
            "/api/v1/feedback",
            json={"content": "Đèn đường hỏng ở ngõ 12 từ tuần trước", "category": "giao-thong"},
            headers={"Idempotency-Key": str(uuid.uuid4()), "X-Forwarded-For": FORGED},
        )
        assert created.status_code == 201, created.text
        token = await http.post("/api/v1/auth/token", json={"username": "dieu.phoi", "password": PASSWORD})
        staff = {"Authorization": f"Bearer {token.json()['access_token']}"}
        detail = await http.get(f"/api/v1/staff/feedback/{created.json()['id']}", headers=staff)
        assert detail.status_code == 200, detail.text
        return str(detail.json()["client_address"])


async def test_a_forged_forwarded_for_is_ignored_without_trusted_proxies(tmp_path: Path) -> None:
    async with serve(tmp_path, "xff_untrusted", PAKN_SCHEDULER_ENABLED="false") as served:
        assert await recorded_address(served) == "127.0.0.1"


async def test_a_trusted_proxy_names_the_client(tmp_path: Path) -> None:
    async with serve(
        tmp_path, "xff_trusted", PAKN_SCHEDULER_ENABLED="false", PAKN_TRUSTED_PROXIES="127.0.0.1"
    ) as served:
        assert await recorded_address(served) == FORGED
