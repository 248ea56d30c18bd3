"""The public contract of the device API (issue 14), written by hand.

A device is the citizen's app (android, ios) or browser (web). Its push token
is where notifications go: an FCM registration token, a string, for the apps; a
Web Push subscription, the object `PushSubscription.toJSON()` gives, for a
browser (RFC 8030 endpoint, RFC 8291 keys)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationInfo, field_validator

from pakn.text.fields import LocalizedValueError

Platform = Literal["android", "ios", "web"]
Locale = Literal["vi", "en"]

FCM_TOKEN_MAX = 1024  # FCM registration tokens are about 160 characters today
ENDPOINT_MAX = 2048
BASE64URL = r"^[A-Za-z0-9_-]+={0,2}$"
P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04, then X and Y (RFC 8291 §3.1)
AUTH_BYTES = 16  # the authentication secret (RFC 8291 §3.2)

# An FCM registration token: printable ASCII without spaces (so nothing to normalise
# or trim, and no control character), bounded.
FcmToken = Annotated[str, Field(min_length=1, max_length=FCM_TOKEN_MAX, pattern=r"^[!-~]+$")]


class StrictDeviceInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _decoded(value: str) -> bytes:
    """The bytes of base64url text, padded or not; b"" when it is not base64url."""
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return b""


class WebPushKeys(StrictDeviceInput):
    p256dh: str = Field(min_length=87, max_length=88, pattern=BASE64URL)
    auth: str = Field(min_length=22, max_length=24, pattern=BASE64URL)

    @field_validator("p256dh")
    @classmethod
    def _a_public_key(cls, value: str) -> str:
        raw = _decoded(value)
        if len(raw) != P256DH_BYTES or raw[0] != 4:
            raise LocalizedValueError(
                "Không phải khóa công khai P-256 (65 byte, base64url).",
                "Not a P-256 public key (65 bytes, base64url).",
            )
        return value

    @field_validator("auth")
    @classmethod
    def _a_secret(cls, value: str) -> str:
        if len(_decoded(value)) != AUTH_BYTES:
            raise LocalizedValueError("Phải là 16 byte, base64url.", "Must be 16 bytes, base64url.")
        return value


class WebPushSubscription(StrictDeviceInput):
    """A browser's push subscription, as `PushSubscription.toJSON()` gives it."""

    endpoint: str = Field(min_length=12, max_length=ENDPOINT_MAX, pattern=r"^https://[!-~]+$")
    # Browsers send it (mostly null); the push service says when a subscription is gone.
    expirationTime: float | None = Field(None, ge=0, allow_inf_nan=False)  # the browser's name
    keys: WebPushKeys

    @field_validator("endpoint")
    @classmethod
    def _an_https_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname or parts.username or parts.password or parts.fragment:
            raise LocalizedValueError(
                "Phải là địa chỉ https của dịch vụ đẩy, không có thông tin đăng nhập.",
                "Must be the push service's https URL, without credentials.",
            )
        return value

    def stored(self) -> dict[str, object]:
        """What sending needs (pywebpush's `subscription_info`)."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.keys.p256dh, "auth": self.keys.auth}}


def _token_kind(value: object) -> str:
    return "subscription" if isinstance(value, dict | WebPushSubscription) else "token"


# One or the other by its JSON type, so that a refusal names the one meant (the
# door drops the tag from the field's name: `push_token.endpoint`, not
# `push_token.subscription.endpoint`).
PushToken = Annotated[
    Annotated[FcmToken, Tag("token")] | Annotated[WebPushSubscription, Tag("subscription")],
    Discriminator(_token_kind),
]
PUSH_TOKEN_TAGS = ("token", "subscription")


def token_mismatch(platform: str, token: PushToken | None) -> LocalizedValueError | None:
    """Why `token` cannot be this platform's push token, if it cannot."""
    if token is None:
        return None
    if platform == "web" and not isinstance(token, WebPushSubscription):
        return LocalizedValueError(
            "Trình duyệt (web) gửi đăng ký Web Push: {endpoint, keys: {p256dh, auth}}.",
            "A browser (web) sends its Web Push subscription: {endpoint, keys: {p256dh, auth}}.",
            code="wrong_push_token",
        )
    if platform != "web" and isinstance(token, WebPushSubscription):
        return LocalizedValueError(
            "Ứng dụng (android, ios) gửi mã đăng ký FCM dạng chuỗi.",
            "An app (android, ios) sends its FCM registration token as a string.",
            code="wrong_push_token",
        )
    return None


class DeviceCreate(StrictDeviceInput):
    platform: Platform
    push_token: PushToken | None = None
    locale: Locale = "vi"

    @field_validator("push_token")
    @classmethod
    def _fits_the_platform(cls, value: PushToken | None, info: ValidationInfo) -> PushToken | None:
        platform = info.data.get("platform")  # absent when the platform itself was refused
        problem = token_mismatch(platform, value) if platform else None
        if problem is not None:
            raise problem
        return value


class DeviceUpdate(StrictDeviceInput):
    """Fields left out stay as they are; `push_token: null` forgets the token."""

    push_token: PushToken | None = None
    locale: Locale = "vi"


class DeviceOut(BaseModel):
    device_id: str
    platform: str
    locale: str
    push: bool  # whether notifications can be pushed to it (it has a push token)
    created_at: datetime


class DeviceRegistered(DeviceOut):
    # Shown once: the app sends it as `Authorization: Device <device_secret>`.
    device_secret: str
