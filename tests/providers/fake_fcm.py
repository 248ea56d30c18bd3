"""A fake Firebase Cloud Messaging: Google's OAuth 2 token endpoint (the JWT
bearer grant of RFC 7523, as a service account uses it) and FCM HTTP v1's
`messages:send`, with the documented request and error shapes.

The token endpoint verifies the assertion itself (RS256 with the service
account's public key, its iss, aud, scope and lifetime) and answers as Google
does; `messages:send` accepts only tokens it issued and not expired nor revoked,
checks the message's shape, and answers per registration token as `replies` says.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.providers.harness import Received, Recorder

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Google: "When making an access token request this value is always
# https://oauth2.googleapis.com/token", wherever the request is sent.
AUDIENCE = "https://oauth2.googleapis.com/token"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


@dataclass(frozen=True)
class Reply:
    """An FCM error for one registration token (FCM's ErrorCode table)."""

    status: int
    error_code: str  # the FcmError detail's errorCode; "" for none
    rpc_status: str  # google.rpc status name
    message: str
    retry_after: str | None = None
    field_violation: str | None = None  # a BadRequest detail naming this field

    def body(self) -> dict[str, Any]:
        details: list[dict[str, Any]] = []
        if self.error_code:
            details.append({"@type": FCM_ERROR, "errorCode": self.error_code})
        if self.field_violation:
            violation = {"field": self.field_violation, "description": self.message}
            details.append({"@type": BAD_REQUEST, "fieldViolations": [violation]})
        error = {"code": self.status, "message": self.message, "status": self.rpc_status}
        return {"error": {**error, "details": details} if details else error}


UNREGISTERED = Reply(404, "UNREGISTERED", "NOT_FOUND", "Requested entity was not found.")
INVALID_TOKEN = Reply(
    400,
    "INVALID_ARGUMENT",
    "INVALID_ARGUMENT",
    "The registration token is not a valid FCM registration token",
    field_violation="message.token",
)
SENDER_ID_MISMATCH = Reply(403, "SENDER_ID_MISMATCH", "PERMISSION_DENIED", "SenderId mismatch")
QUOTA_EXCEEDED = Reply(429, "QUOTA_EXCEEDED", "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Device sends'")
UNAVAILABLE = Reply(503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable.")
INTERNAL = Reply(500, "INTERNAL", "INTERNAL", "Internal error encountered.")
PERMISSION_DENIED = Reply(403, "", "PERMISSION_DENIED", "Permission 'cloudmessaging.messages.create' denied")
UNAUTHENTICATED = Reply(401, "", "UNAUTHENTICATED", "Request had invalid authentication credentials.")


@dataclass
class FakeFcm:
    project_id: str
    client_email: str
    public_key: rsa.RSAPublicKey
    token_lifetime: int = 3600  # the token endpoint's expires_in
    token_delay: float = 0.0  # seconds before the token endpoint answers
    replies: dict[str, Reply] = field(default_factory=dict)  # registration token → error
    delays: dict[str, float] = field(default_factory=dict)  # registration token → seconds before answering
    recorder: Recorder = field(default_factory=Recorder)
    access_tokens: dict[str, float] = field(default_factory=dict)  # issued → expiry (epoch seconds)
    messages: list[dict[str, Any]] = field(default_factory=list)  # accepted

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/token", self._token, methods=["POST"]),
                Route("/v1/projects/{project}/messages:send", self._send, methods=["POST"]),
            ]
        )

    def revoke_tokens(self) -> None:
        self.access_tokens.clear()

    async def _token(self, request: Request) -> Response:
        await _record(request, self.recorder)
        await asyncio.sleep(self.token_delay)
        form = await request.form()
        if form.get("grant_type") != JWT_GRANT:
            return _grant_error("unsupported_grant_type", f"Invalid grant_type: {form.get('grant_type')}")
        problem = self._assertion_problem(str(form.get("assertion", "")))
        if problem:
            return _grant_error("invalid_grant", problem)
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        self.access_tokens[token] = time.time() + self.token_lifetime
        return JSONResponse({"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"})

    def _assertion_problem(self, assertion: str) -> str | None:
        """Google's checks of a service account's assertion, with its wording."""
        try:
            header, claims, signature = (_b64decode(part) for part in assertion.split("."))
            signed = assertion.rsplit(".", 1)[0].encode()
            self.public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            header_fields, claim_fields = json.loads(header), json.loads(claims)
        except (ValueError, InvalidSignature, binascii.Error):
            return "Invalid JWT Signature."
        now = time.time()
        if header_fields.get("alg") != "RS256" or claim_fields.get("iss") != self.client_email:
            return "Invalid JWT Signature."
        if claim_fields.get("aud") != AUDIENCE:
            return "Invalid JWT: Failed audience check."
        if SCOPE not in str(claim_fields.get("scope", "")).split():
            return "Invalid JWT: the scope does not allow Firebase Cloud Messaging."
        iat, exp = claim_fields.get("iat", 0), claim_fields.get("exp", 0)
        if not (iat - 300 <= now < exp and exp - iat <= 3600):
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
        return None

    async def _send(self, request: Request) -> Response:
        received = await _record(request, self.recorder)
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.access_tokens.get(bearer, 0) <= time.time():
            return _fcm_error(UNAUTHENTICATED)
        if request.path_params["project"] != self.project_id:
            return _fcm_error(Reply(404, "", "NOT_FOUND", "Requested entity was not found."))
        problem = _message_problem(received.json)
        if problem:
            return _fcm_error(
                Reply(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", problem[1], field_violation=problem[0])
            )
        message = received.json["message"]
        await asyncio.sleep(self.delays.get(message["token"], 0))
        reply = self.replies.get(message["token"])
        if reply:
            return _fcm_error(reply)
        self.messages.append(message)
        return JSONResponse({"name": f"projects/{self.project_id}/messages/0:{len(self.messages)}"})


def _message_problem(body: Any) -> tuple[str, str] | None:
    """(field, description) of the first thing FCM would refuse in this request."""
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, dict):
        return "message", "Invalid JSON payload received."
    if not isinstance(message.get("token"), str) or not message["token"]:
        return "message.token", "The registration token is not a valid FCM registration token"
    notification = message.get("notification", {})
    if not all(isinstance(notification.get(name), str) for name in ("title", "body")):
        return "message.notification", "Invalid value at 'message.notification'"
    data = message.get("data", {})
    if not all(isinstance(value, str) for value in data.values()):
        return "message.data", "Invalid value at 'message.data': values must be strings"
    if any(key in ("from", "notification", "message_type") or key.startswith(("google", "gcm")) for key in data):
        return "message.data", "Invalid data payload key"
    android = message.get("android", {})
    if android.get("priority", "normal") not in ("normal", "high"):
        return "message.android.priority", "Invalid value at 'message.android.priority'"
    ttl = str(android.get("ttl", "0s"))
    if not (ttl.endswith("s") and ttl[:-1].replace(".", "", 1).isdigit()):
        return "message.android.ttl", "Invalid value at 'message.android.ttl': Illegal duration format"
    if not all(isinstance(value, str) for value in message.get("apns", {}).get("headers", {}).values()):
        return "message.apns.headers", "Invalid value at 'message.apns.headers'"
    if len(json.dumps({"notification": notification, "data": data}, ensure_ascii=False).encode()) > 4096:
        return "message", "Message is too big"
    return None


async def _record(request: Request, recorder: Recorder) -> Received:
    body = await request.body()
    try:
        parsed = json.loads(body) if request.headers.get("content-type", "").startswith("application/json") else None
    except ValueError:
        parsed = None
    received = Received(
        request.method, request.url.path, dict(request.headers), dict(request.query_params), body, parsed
    )
    recorder.requests.append(received)
    return received


def _grant_error(error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=400)


def _fcm_error(reply: Reply) -> JSONResponse:
    headers = {"Retry-After": reply.retry_after} if reply.retry_after else None
    return JSONResponse(reply.body(), status_code=reply.status, headers=headers)


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
