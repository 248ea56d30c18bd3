"""A fake eSMS.vn gateway, served for real (harness.py): the "Send OTP/Customer
care message" call as developers.esms.vn documents it.

POST /MainService.svc/json/SendMultipleMessage_V4_post_json/ with a JSON body
{ApiKey, SecretKey, Phone, Content, Brandname, SmsType, IsUnicode, RequestId,
...}; HTTP 200 with {"CodeResult": "100", "CountRegenerate": 0, "SMSID": ...}
or {"CodeResult": "<code>", "CountRegenerate": 0, "ErrorMessage": ...}, and
{"error": "Invalid request"} (HTTP 400) for a body it cannot read.

It checks what eSMS checks (credentials 101, message type 118, brandname 104,
phone format 108, a RequestId seen before 124), can be told to answer any code
or HTTP status next, or to be slow, and records every request.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field, fields
from itertools import count
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.providers.harness import Received, Recorder

SEND_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
# eSMS's "Table of error codes", with the ErrorMessage its examples show where they show one.
ERROR_MESSAGES = {
    "99": "The phone number is blocked in the system",
    "101": "Authorize Failed",
    "102": "No price list available",
    "103": "Not enough balance to send message",
    "104": "Brand name code is not exist",
    "108": "Phone number is not in correct format",
    "118": "Unsupported message type",
    "119": "Advertising brandname must be sent to at least 20 numbers",
    "124": "Request exist 1",
    "140": "IP is not whitelisted for sending messages",
    "146": "Sai template Brandname CSKH",
    "177": "The network is not registered",
    "300": "Missing message type",
}
_PHONE = re.compile(r"^(84|0)[35789][0-9]{8}$")


@dataclass
class Accepted:
    sms_id: str
    phone: str
    content: str
    unicode: str
    request_id: str


@dataclass
class FakeSmsGateway:
    api_key: str = "esms-api-key"
    secret_key: str = "esms-secret-key"
    brandnames: set[str] = field(default_factory=lambda: {"PAKN-TINH"})
    base_url: str = ""  # set once served
    recorder: Recorder = field(default_factory=Recorder)
    accepted: list[Accepted] = field(default_factory=list)
    # What the next requests get instead of the normal answer, one each, in order:
    # a result code ("103"), or an HTTP status with headers ((503, {"Retry-After": "7"})).
    next_codes: list[str] = field(default_factory=list)
    next_statuses: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    echo_in_error: str = ""  # added to ErrorMessage: a gateway that repeats what it was sent
    delay_seconds: float = 0.0
    _ids: count[int] = field(default_factory=lambda: count(1))
    _request_ids: set[str] = field(default_factory=set)

    def reset(self) -> None:
        """Back to a fresh fake, still served where it is (one server for a module's tests)."""
        fresh = type(self)()
        for item in fields(self):
            if item.name != "base_url":
                setattr(self, item.name, getattr(fresh, item.name))

    def app(self) -> Starlette:
        return Starlette(routes=[Route(SEND_PATH, self._send, methods=["POST"])])

    @property
    def requests(self) -> list[Received]:
        return self.recorder.to(SEND_PATH)

    async def _send(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body: Any = await request.json()
        except ValueError:
            body = None
        self.recorder.requests.append(
            Received(request.method, request.url.path, dict(request.headers), dict(request.query_params), raw, body)
        )
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.next_statuses:
            status, headers = self.next_statuses.pop(0)
            return JSONResponse({"error": "scripted"}, status_code=status, headers=headers)
        if not isinstance(body, dict):
            return JSONResponse({"error": "Invalid request"}, status_code=400)
        code = self.next_codes.pop(0) if self.next_codes else self._check(body)
        if code != "100":
            return self._error(code)
        return self._accept(body)

    def _check(self, body: dict[str, Any]) -> str:
        if body.get("ApiKey") != self.api_key or body.get("SecretKey") != self.secret_key:
            return "101"
        if not body.get("SmsType"):
            return "300"
        if body["SmsType"] != "2":
            return "118"
        if body.get("Brandname") not in self.brandnames:
            return "104"
        if not _PHONE.match(str(body.get("Phone", ""))):
            return "108"
        if body.get("RequestId") and body["RequestId"] in self._request_ids:
            return "124"
        return "100"

    def _error(self, code: str) -> Response:
        answer: dict[str, Any] = {"CodeResult": code, "CountRegenerate": 0}
        answer["ErrorMessage"] = (ERROR_MESSAGES.get(code, "Unknown error") + " " + self.echo_in_error).strip()
        if code == "124":
            answer["SendStatus"] = "5"
        return JSONResponse(answer)

    def _accept(self, body: dict[str, Any]) -> Response:
        sms_id = f"esms-{next(self._ids):04d}"
        if body.get("RequestId"):
            self._request_ids.add(body["RequestId"])
        self.accepted.append(
            Accepted(
                sms_id, body["Phone"], body.get("Content", ""), body.get("IsUnicode", "0"), body.get("RequestId", "")
            )
        )
        return JSONResponse({"CodeResult": "100", "CountRegenerate": 0, "SMSID": sms_id})
