"""Registered devices of citizens (issue 14): the app or browser registers once,
gets a secret shown once (only its SHA-256 is stored: a random 256-bit secret
needs no slow hash), and sends it as `Authorization: Device <secret>` from then
on. Unregistering revokes the secret and forgets the push token."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request

from pakn.accounts.device_schemas import (
    DeviceCreate,
    DeviceOut,
    DeviceRegistered,
    DeviceUpdate,
    PushToken,
    WebPushSubscription,
    token_mismatch,
)
from pakn.core.problems import Problem, field_problem
from pakn.core.ratelimit import client_key, rate_limiter_of
from pakn.models import Device

SCHEME = "device"  # Authorization: Device <secret>
SECRET_PREFIX = "pdv_"  # tells a device secret apart from staff tokens (pst_) and report tokens
PUBLIC_PREFIX = "dv_"
# last_seen_at tells an operator which devices are still in use; an hour's
# precision spares a write on every call the app makes.
TOUCH_EVERY = timedelta(hours=1)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def stored_token(token: PushToken | None) -> str | None:
    """A push token as kept on the row: the FCM token, or the subscription as compact JSON."""
    if isinstance(token, WebPushSubscription):
        return json.dumps(token.stored(), separators=(",", ":"))
    return token


async def register(data: DeviceCreate, now: datetime) -> DeviceRegistered:
    """A new device; its secret is in this reply and never again."""
    secret = new_secret()
    device = await Device.create(
        public_id=PUBLIC_PREFIX + secrets.token_urlsafe(16),
        secret_hash=hash_secret(secret),
        platform=data.platform,
        push_token=stored_token(data.push_token),
        locale=data.locale,
        created_at=now,
        last_seen_at=now,
    )
    return DeviceRegistered(**device_view(device).model_dump(), device_secret=secret)


def device_view(device: Device) -> DeviceOut:
    return DeviceOut(
        device_id=device.public_id,
        platform=device.platform,
        locale=device.locale,
        push=device.push_token is not None,
        created_at=device.created_at,
    )


def device_secret(request: Request) -> str | None:
    """The secret of an `Authorization: Device <secret>` header; None for any other
    scheme or none (a blank secret is "" so that it is refused, not ignored)."""
    scheme, _, secret = request.headers.get("authorization", "").strip().partition(" ")
    return secret.strip() if scheme.lower() == SCHEME else None


def unauthorized_device() -> Problem:
    return Problem(
        401,
        "unauthorized",
        "Chưa xác thực",
        "Unauthorized",
        "Thiết bị chưa đăng ký, đã hủy đăng ký hoặc gửi sai mã bí mật (Authorization: Device ...).",
        "The device is not registered, was unregistered, or sent a wrong secret (Authorization: Device ...).",
        headers={"WWW-Authenticate": 'Device realm="pakn"'},
    )


async def authenticate(secret: str, now: datetime) -> Device:
    """The registered, not unregistered, device holding this secret; else 401."""
    if not secret.startswith(SECRET_PREFIX):
        raise unauthorized_device()
    device = await Device.get_or_none(secret_hash=hash_secret(secret), revoked_at=None)
    if device is None:
        raise unauthorized_device()
    if now - device.last_seen_at >= TOUCH_EVERY:
        device.last_seen_at = now
        await Device.filter(id=device.id).update(last_seen_at=now.astimezone(UTC))
    return device


async def device_of(request: Request, now: datetime) -> Device | None:
    """The device a request names: None without the Device scheme, 401 when it
    names none (a bad credential is refused, never taken as no credential).
    A refused secret spends the address's budget of failed lookups, as a wrong
    tracking code or token does: guessing or flooding with secrets stays slow."""
    secret = device_secret(request)
    if secret is None:
        return None
    limiter, address = rate_limiter_of(request), client_key(request)
    await limiter.check_failed_lookups(address)
    try:
        return await authenticate(secret, now)
    except Problem as problem:
        if problem.status == 401:
            await limiter.count_failed_lookup(address)
        raise


async def current_device(request: Request, now: datetime) -> Device:
    """The calling device, for routes that need one; 401 without."""
    device = await device_of(request, now)
    if device is None:
        raise unauthorized_device()
    return device


async def update(device: Device, change: DeviceUpdate) -> DeviceOut:
    """Only the fields sent change; a push token must fit the device's platform."""
    values: dict[str, Any] = {}
    if "push_token" in change.model_fields_set:
        mismatch = token_mismatch(device.platform, change.push_token)
        if mismatch is not None:
            raise field_problem("push_token", mismatch.code, mismatch.message_vi, mismatch.message_en)
        values["push_token"] = stored_token(change.push_token)
    if "locale" in change.model_fields_set:
        values["locale"] = change.locale
    # Not on a device unregistered meanwhile: its token must stay forgotten.
    if values and not await Device.filter(id=device.id, revoked_at=None).update(**values):
        raise unauthorized_device()
    for name, value in values.items():
        setattr(device, name, value)
    return device_view(device)


async def unregister(device: Device, now: datetime) -> None:
    """The secret stops working and nothing more is pushed to the device. Its
    reports keep the link, for the record; their access tokens still work."""
    await Device.filter(id=device.id, revoked_at=None).update(revoked_at=now.astimezone(UTC), push_token=None)
