"""A fake Web Push service (RFC 8030): `POST /push/{id}`, one push resource per
browser subscription the test made with `subscribe`.

It does what a push service and the browser do between them: checks the VAPID
Authorization (RFC 8292: `vapid t=<JWT>, k=<key>`, the ES256 signature verified
with k, aud the service's origin, exp within a day, k the key the subscription
was made with), requires TTL and `Content-Encoding: aes128gcm`, and decrypts
the body with the subscription's private key and auth secret (RFC 8291),
keeping the JSON the service worker would receive. Per subscription it can
instead answer 404, 410, 429 with Retry-After, 5xx, 413 ...
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

import http_ece  # type: ignore[import-untyped]
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.providers.harness import Received, Recorder


@dataclass
class Browser:
    """One subscription as the browser holds it: its keys and what it received."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    server_key: str  # the applicationServerKey it subscribed with
    received: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Reply:
    status: int
    text: str = ""
    retry_after: str | None = None


@dataclass
class FakePushService:
    browsers: dict[str, Browser] = field(default_factory=dict)
    replies: dict[str, Reply] = field(default_factory=dict)  # subscription id → answer instead of delivering
    delays: dict[str, float] = field(default_factory=dict)
    recorder: Recorder = field(default_factory=Recorder)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/push/{id}", self._push, methods=["POST"])])

    def subscribe(self, base_url: str, name: str, server_key: str) -> str:
        """A new browser subscription; its PushSubscription JSON, as `JSON.stringify` gives it."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        self.browsers[name] = Browser(private_key, os.urandom(16), server_key)
        public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        keys = {"p256dh": _b64encode(public), "auth": _b64encode(self.browsers[name].auth)}
        return json.dumps({"endpoint": f"{base_url}/push/{name}", "expirationTime": None, "keys": keys})

    async def _push(self, request: Request) -> Response:
        body = await request.body()
        self.recorder.requests.append(
            Received(request.method, request.url.path, dict(request.headers), dict(request.query_params), body)
        )
        name = request.path_params["id"]
        browser = self.browsers.get(name)
        if browser is None:
            return Response("No such subscription", status_code=404)
        await asyncio.sleep(self.delays.get(name, 0))
        refusal = _vapid_problem(request, browser) or _header_problem(request)
        if refusal:
            return refusal
        if name in self.replies:
            reply = self.replies[name]
            headers = {"Retry-After": reply.retry_after} if reply.retry_after else None
            return Response(reply.text, status_code=reply.status, headers=headers)
        try:
            plaintext = http_ece.decrypt(
                body, private_key=browser.private_key, auth_secret=browser.auth, version="aes128gcm"
            )
        except http_ece.ECEException:
            return Response("Could not decrypt the payload", status_code=400)
        browser.received.append(json.loads(plaintext))
        location = f"{request.base_url}messages/{name}-{len(browser.received)}"
        return Response(status_code=201, headers={"Location": location})


def _vapid_problem(request: Request, browser: Browser) -> Response | None:
    scheme, _, parameters = request.headers.get("authorization", "").partition(" ")
    fields = dict(part.strip().split("=", 1) for part in parameters.split(",") if "=" in part)
    if scheme.lower() != "vapid" or "t" not in fields or "k" not in fields:
        return Response("Missing VAPID authorization", status_code=401)
    claims = _verified_claims(fields["t"], fields["k"])
    if claims is None:
        return Response("Invalid VAPID signature", status_code=401)
    origin = f"{request.url.scheme}://{request.headers['host']}"
    if claims.get("aud") != origin or not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
        return Response("Invalid VAPID claims (aud, exp)", status_code=401)
    if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
        return Response("Invalid VAPID claims (sub)", status_code=401)
    if fields["k"] != browser.server_key:
        return Response("The VAPID key does not match the subscription's", status_code=403)
    return None


def _verified_claims(token: str, key: str) -> dict[str, Any] | None:
    """The claims of an ES256 JWT signed by `key` (raw P-256 point), else None."""
    try:
        header, claims, signature = token.split(".")
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64decode(key))
        raw = _b64decode(signature)
        der = utils.encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public_key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        if json.loads(_b64decode(header)).get("alg") != "ES256":
            return None
        parsed: dict[str, Any] = json.loads(_b64decode(claims))
        return parsed
    except (ValueError, InvalidSignature, binascii.Error):
        return None


def _header_problem(request: Request) -> Response | None:
    if not request.headers.get("ttl", "").isdigit():
        return Response("Missing TTL header", status_code=400)
    if request.headers.get("content-encoding") != "aes128gcm":
        return Response("Unsupported Content-Encoding", status_code=415)
    if len(request.headers.get("topic", "")) > 32:
        return Response("Topic too long", status_code=400)
    if int(request.headers.get("content-length", "0")) > 4096:
        return Response("Payload too large", status_code=413)
    return None


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
