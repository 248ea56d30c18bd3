"""Web Push to the public pages' browsers: the payload encrypted for the
browser's subscription (aes128gcm, RFC 8291, by `http_ece`), our server named
by a VAPID signature (RFC 8292, by `py_vapid`), posted with httpx to the push
service the subscription names (RFC 8030).

The recipient is the browser's PushSubscription as JSON: {"endpoint", "keys":
{"p256dh", "auth"}}. Its endpoint is untrusted input, so PAKN posts only to the
push services in `[webpush] push_origins`.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import http_ece  # type: ignore[import-untyped]
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02, VapidException  # type: ignore[import-untyped]
from pydantic import BaseModel, ValidationError

from pakn.notify.base import DeliveryError, Notice, RecipientGone, Rejected, RetryLater
from pakn.notify.push_common import fit_body, notice_tag, unreachable
from pakn.notify.replies import reason, retry_after
from pakn.settings.push import WebPushConfig

# Push services take 4096 bytes of encrypted body; aes128gcm adds 86 bytes of
# header, a 16-byte tag and a delimiter: 3 kB of JSON stays clear of it.
PAYLOAD_BUDGET = 3000
# RFC 8292 allows a VAPID token up to 24 hours; half a day leaves room for clock skew.
VAPID_LIFETIME_SECONDS = 12 * 3600
DEFAULT_PORTS = {"https": 443, "http": 80}


class _Keys(BaseModel):
    p256dh: str
    auth: str


class _SubscriptionJson(BaseModel):
    # Browsers add "expirationTime" (and may add more): ignored.
    endpoint: str
    keys: _Keys


@dataclass(frozen=True)
class Subscription:
    """A browser's push subscription, decoded."""

    endpoint: httpx.URL
    p256dh: bytes  # the browser's P-256 public key, uncompressed point
    auth: bytes  # the 16-byte authentication secret

    @property
    def origin(self) -> str:
        """The push service's origin: the VAPID token's audience."""
        port = self.endpoint.port
        suffix = f":{port}" if port and port != DEFAULT_PORTS.get(self.endpoint.scheme) else ""
        return f"{self.endpoint.scheme}://{self.endpoint.host}{suffix}"


def parse_subscription(recipient: str, push_origins: Sequence[str]) -> Subscription:
    """The subscription in `recipient`, or Rejected when it is malformed or names
    a push service outside `push_origins` (usable when a browser registers one)."""
    try:
        raw = _SubscriptionJson.model_validate_json(recipient)
        subscription = Subscription(httpx.URL(raw.endpoint), _b64decode(raw.keys.p256dh), _b64decode(raw.keys.auth))
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), subscription.p256dh)
    except (ValidationError, ValueError, binascii.Error, httpx.InvalidURL):
        raise Rejected(
            "Web Push: the subscription is not a PushSubscription (endpoint, keys.p256dh, keys.auth)"
        ) from None
    if len(subscription.auth) != 16:
        raise Rejected("Web Push: the subscription's auth secret is not 16 bytes")
    if not _allowed(subscription.endpoint, push_origins):
        raise Rejected(f"Web Push: {subscription.endpoint.host} is not among the allowed push services")
    return subscription


def _allowed(endpoint: httpx.URL, push_origins: Sequence[str]) -> bool:
    if endpoint.userinfo or endpoint.scheme not in DEFAULT_PORTS:
        return False
    port = endpoint.port or DEFAULT_PORTS[endpoint.scheme]
    for origin in push_origins:
        scheme, _, authority = origin.partition("://")
        host, _, origin_port = authority.partition(":")
        same_host = endpoint.host.endswith(host[1:]) if host.startswith("*.") else endpoint.host == host
        if scheme == endpoint.scheme and same_host and port == int(origin_port or DEFAULT_PORTS[scheme]):
            return True
    return False


class WebPushProvider:
    """The "webpush" channel: one notice to one browser subscription."""

    channel = "webpush"

    def __init__(self, config: WebPushConfig) -> None:
        self._config = config
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(config.timeout_seconds))
        self._vapid: Any = None  # py_vapid's Vapid02, loaded at the first send

    async def send(self, notice: Notice) -> str:
        subscription = parse_subscription(notice.recipient, self._config.push_origins)
        tag = notice_tag(notice.key)
        payload = fit_body(lambda body: _payload(notice, body, tag), notice.body, PAYLOAD_BUDGET, "Web Push")
        headers = {
            **self._authorization(subscription.origin),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(self._config.ttl_seconds),
            # A queued message with the same topic is replaced: a resent notice shows once.
            "Topic": tag,
        }
        try:
            response = await self._client.post(
                subscription.endpoint, content=_encrypt(payload, subscription), headers=headers
            )
        except httpx.HTTPError as error:
            raise unreachable("Web Push", error) from None
        if response.is_success:
            return str(response.headers.get("Location", ""))
        raise _failure(response)

    async def aclose(self) -> None:
        await self._client.aclose()

    def _authorization(self, audience: str) -> dict[str, str]:
        """`Authorization: vapid t=<ES256 JWT>, k=<our public key>` for this push service."""
        if self._vapid is None:
            try:
                self._vapid = Vapid02(private_key=_load_private_key(self._config.vapid_private_key_file))
            except (OSError, ValueError, TypeError) as error:
                # The key file was checked at start-up; it changed since.
                path = self._config.vapid_private_key_file
                raise RetryLater(f"Web Push: cannot load {path} ({type(error).__name__})") from None
        claims = {"aud": audience, "exp": int(time.time()) + VAPID_LIFETIME_SECONDS, "sub": self._config.vapid_subject}
        try:
            signed: dict[str, str] = self._vapid.sign(claims)
        except VapidException as error:  # the subject, checked at start-up as py_vapid wants it
            raise RetryLater(f"Web Push: cannot sign the VAPID claims ({reason(str(error))})") from None
        return {"Authorization": signed["Authorization"]}


def _payload(notice: Notice, body: str, tag: str) -> bytes:
    """What the service worker receives: {title, body, data}; `data.notice_id`
    is the tag to show the notification under."""
    data = {**notice.data, "event": notice.event, "notice_id": tag}
    message = {"title": notice.title, "body": body, "data": data}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def _encrypt(payload: bytes, subscription: Subscription) -> bytes:
    """aes128gcm for this browser, from a key pair made for this message alone."""
    sender_key = ec.generate_private_key(ec.SECP256R1())
    encrypted = http_ece.encrypt(
        payload, private_key=sender_key, dh=subscription.p256dh, auth_secret=subscription.auth, version="aes128gcm"
    )
    return bytes(encrypted)


def _failure(response: httpx.Response) -> DeliveryError:
    status = response.status_code
    line = f"Web Push {status} {response.reason_phrase}: {reason(response.text)}".rstrip(": ")
    if status in (404, 410):
        return RecipientGone(line)
    if status == 429 or status >= 500:
        return RetryLater(line, retry_after(response))
    return Rejected(line)


def _b64decode(text: str) -> bytes:
    """Browsers give base64url without padding; some libraries give standard base64."""
    padded = text.strip().replace("+", "-").replace("/", "_") + "=" * (-len(text.strip()) % 4)
    return base64.urlsafe_b64decode(padded)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("not a P-256 key")
    return key


def application_server_key(private_key: ec.EllipticCurvePrivateKey) -> str:
    """The public half as browsers want it (`pushManager.subscribe({applicationServerKey})`)."""
    point = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64encode(point)


def vapid_public_key(path: Path) -> str:
    """The applicationServerKey of the VAPID key in `path`, for the public pages."""
    return application_server_key(_load_private_key(path))


def generate_vapid_keys(path: Path) -> str:
    """Write a new VAPID private key (PEM, mode 0600) to `path`; its applicationServerKey.

    Refuses to replace an existing file (FileExistsError): a new key orphans
    every browser subscription made with the old one."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return application_server_key(private_key)
