"""Shortcuts for device tests: register a device, speak as it, submit from it."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from pakn.app import create_app
from pakn.core import context
from pakn.models import Device
from pakn.settings import NotifyConfig, Settings
from tests.factories import feedback_body, new_key

DEVICES = "/api/v1/devices"
ME = DEVICES + "/me"
FEEDBACK = "/api/v1/feedback"
FCM_TOKEN = "cYxo3Ld9R0u1:APA91bH" + "x" * 140  # the shape of an FCM registration token


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def subscription(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc:APA91b") -> dict[str, Any]:
    """A browser's PushSubscription.toJSON(): an uncompressed P-256 point and a 16-byte secret."""
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": b64url(b"\x04" + os.urandom(64)), "auth": b64url(os.urandom(16))},
    }


def as_device(secret: str) -> dict[str, str]:
    return {"Authorization": f"Device {secret}"}


async def register(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await client.post(DEVICES, json={"platform": "android", **body})
    assert response.status_code == 201, response.text
    reply: dict[str, Any] = response.json()
    return reply


async def submit_as(client: httpx.AsyncClient, secret: str | None, **overrides: Any) -> httpx.Response:
    headers = {**new_key(), **(as_device(secret) if secret else {})}
    return await client.post(FEEDBACK, json=feedback_body(**overrides), headers=headers)


async def submitted_as(client: httpx.AsyncClient, secret: str | None, **overrides: Any) -> dict[str, Any]:
    response = await submit_as(client, secret, **overrides)
    assert response.status_code == 201, response.text
    reply: dict[str, Any] = response.json()
    return reply


async def forget_devices() -> None:
    """Devices are not among the suite's written tables (tests/conftest.py): each
    device test module forgets its own after each test."""
    await Device.all().delete()


@asynccontextmanager
async def own_app(
    settings: Settings, channels: tuple[str, ...] = (), **changes: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of its own: its province offers `channels` besides
    e-mail, other settings as changed. The suite's settings are installed again
    afterwards (create_app installs its own for the code outside requests)."""
    notify = NotifyConfig.model_validate({"channels": list(channels)})
    changed = settings.model_copy(update={"notify": notify, **changes})
    app: Starlette = create_app(changed, manage_database=False)
    try:
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://pakn.test") as http:
                yield http
    finally:
        context.install(settings)
