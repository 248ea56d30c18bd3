"""A fake Zalo, served for real (harness.py): the OA token endpoint of OAuth v4
and the ZNS template message, as developers.zalo.me documents them.

- POST /v4/oa/access_token, header secret_key, form refresh_token, app_id,
  grant_type=refresh_token → {"access_token", "refresh_token", "expires_in":
  "<seconds as a string>"}. A refresh token works once, as on Zalo: the answer
  carries the next one and a token presented again is refused with
  {"error": <negative>, "error_name", "error_reason", "error_description"}.
- POST /message/template, header access_token, JSON {"phone": "84...",
  "template_id", "template_data", "tracking_id"} → {"error": 0, "message":
  "Success", "data": {"msg_id", "sent_time", "quota"}}, or {"error": <code>,
  "message"}: -124 for an access token it did not issue (or revoked, or
  expired), -108 a phone number it cannot read, -109 a template it does not
  know, -112 template data missing a parameter, -118 a number without Zalo.

It can be told to answer any error code or HTTP status next, and records
every request.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field, fields
from itertools import count
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.providers.harness import Received, Recorder

TOKEN_PATH = "/v4/oa/access_token"
SEND_PATH = "/message/template"
_PHONE = re.compile(r"^84[0-9]{9}$")
# The messages of Zalo's ZNS error table for the codes tests script.
MESSAGES = {
    -100: "Unknown error",
    -104: "App secret key invalid",
    -108: "Phone number invalid",
    -109: "Template ID invalid",
    -112: "Template data invalid",
    -115: "Out of quota",
    -118: "Zalo account not existed",
    -119: "Account can not receive ZNS message",
    -124: "Access token invalid",
    -131: "Template not approved",
    -133: "Sending ZNS outside of allowed time",
    -139: "User refused to receive ZNS message",
    -144: "OA has exceeded the daily quota",
}


@dataclass
class FakeZalo:
    app_id: str = "4321098765432109876"
    secret_key: str = "zalo-app-secret"
    first_refresh_token: str = "refresh-0"
    expires_in: str = "90000"  # as Zalo sends it: a string of seconds
    # Approved templates: id → the parameters each requires.
    templates: dict[str, set[str]] = field(
        default_factory=lambda: {"301001": {"ma_phan_anh"}, "301002": {"ma_phan_anh"}, "301009": {"ma", "ly_do"}}
    )
    not_on_zalo: set[str] = field(default_factory=set)
    base_url: str = ""  # set once served
    recorder: Recorder = field(default_factory=Recorder)
    sent: list[dict[str, Any]] = field(default_factory=list)
    next_errors: list[int] = field(default_factory=list)  # the next sends answer these codes, one each
    next_statuses: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    delay_seconds: float = 0.0  # before answering a send
    _refresh_tokens: set[str] = field(default_factory=set)
    _spent: set[str] = field(default_factory=set)
    _access_tokens: dict[str, float] = field(default_factory=dict)  # token → expiry (time.monotonic)
    _token_numbers: count[int] = field(default_factory=lambda: count(1))
    _message_numbers: count[int] = field(default_factory=lambda: count(1))

    def __post_init__(self) -> None:
        self._refresh_tokens.add(self.first_refresh_token)

    def reset(self) -> None:
        """Back to a fresh fake, still served where it is (one server for a module's tests)."""
        fresh = type(self)()
        for item in fields(self):
            if item.name != "base_url":
                setattr(self, item.name, getattr(fresh, item.name))

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route(TOKEN_PATH, self._token, methods=["POST"]), Route(SEND_PATH, self._send, methods=["POST"])]
        )

    @property
    def refreshes(self) -> list[Received]:
        return self.recorder.to(TOKEN_PATH)

    @property
    def sends(self) -> list[Received]:
        return self.recorder.to(SEND_PATH)

    def revoke_access_tokens(self) -> None:
        """As when Zalo ends a token early: every send with it gets -124."""
        self._access_tokens.clear()

    def authorise_again(self) -> str:
        """A new refresh token, as an OA administrator gets by authorising the app again."""
        token = f"refresh-reauthorised-{next(self._token_numbers)}"
        self._refresh_tokens.add(token)
        return token

    async def _record(self, request: Request) -> Received:
        raw = await request.body()
        is_json = request.headers.get("content-type", "").startswith("application/json")
        received = Received(
            request.method, request.url.path, dict(request.headers), dict(request.query_params), raw, None
        )
        if is_json:
            received.json = await request.json()
        self.recorder.requests.append(received)
        return received

    async def _token(self, request: Request) -> Response:
        await self._record(request)
        form = await request.form()
        if request.headers.get("secret_key") != self.secret_key:
            return _oauth_error(-14002, "Invalid secret key", "secret_key is invalid")
        if form.get("app_id") != self.app_id or form.get("grant_type") != "refresh_token":
            return _oauth_error(-14003, "Invalid parameter", "app_id or grant_type is invalid")
        presented = str(form.get("refresh_token", ""))
        if presented not in self._refresh_tokens:
            reason = "used already" if presented in self._spent else "unknown"
            return _oauth_error(-14014, "Invalid refresh token", f"refresh_token is invalid ({reason})")
        self._refresh_tokens.discard(presented)
        self._spent.add(presented)
        number = next(self._token_numbers)
        access, rotated = f"access-{number}", f"refresh-{number}"
        self._refresh_tokens.add(rotated)
        self._access_tokens[access] = time.monotonic() + float(self.expires_in)
        return JSONResponse({"access_token": access, "refresh_token": rotated, "expires_in": self.expires_in})

    async def _send(self, request: Request) -> Response:
        received = await self._record(request)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.next_statuses:
            status, headers = self.next_statuses.pop(0)
            return JSONResponse({"error": -100, "message": "scripted"}, status_code=status, headers=headers)
        expiry = self._access_tokens.get(request.headers.get("access_token", ""))
        if expiry is None or expiry <= time.monotonic():
            return _error(-124)
        if self.next_errors:
            return _error(self.next_errors.pop(0))
        code = self._check(received.json)
        if code:
            return _error(code)
        self.sent.append(received.json)
        message_id = f"zns-msg-{next(self._message_numbers)}"
        data = {
            "msg_id": message_id,
            "sent_time": "1767225600000",
            "quota": {"dailyQuota": "500", "remainingQuota": "499"},
        }
        return JSONResponse({"error": 0, "message": "Success", "data": data})

    def _check(self, body: Any) -> int:
        if not isinstance(body, dict) or not _PHONE.match(str(body.get("phone", ""))):
            return -108
        required = self.templates.get(str(body.get("template_id")))
        if required is None:
            return -109
        data = body.get("template_data")
        if not isinstance(data, dict) or any(
            not isinstance(data.get(name), str) or not data[name] for name in required
        ):
            return -112
        return -118 if body["phone"] in self.not_on_zalo else 0


def _error(code: int) -> Response:
    return JSONResponse({"error": code, "message": MESSAGES.get(code, "Unknown error")})


def _oauth_error(code: int, name: str, description: str) -> Response:
    return JSONResponse(
        {"error": code, "error_name": name, "error_reason": description, "error_description": description}
    )
