"""Zalo Notification Service: an approved template message to the citizen's
phone number through the province's Zalo Official Account, channel "zns".

developers.zalo.me, ZNS "send a ZNS message": POST
{api_base_url}/message/template with the header access_token and the JSON body
{"phone": "84...", "template_id", "template_data": {parameter: value},
"tracking_id"}; answered HTTP 200 {"error": 0, "message": "Success", "data":
{"msg_id", "sent_time", "quota"}} or {"error": <negative code>, "message"}.
The access token comes from zns_token.py; -124 (access token invalid or
expired) drops it, refreshes once and tries again.

Zalo's table of ZNS error codes, and what the outbox does with each:
- tried again later: -100 unknown error ("try again later"); -115 out of quota
  (the OA's balance), -144 the OA's daily quota used up, -133 outside the hours
  ZNS may be sent; the province's app or OA at fault (-101 to -105 app invalid,
  missing, inactive, secret key invalid, not linked to an OA; -125 OA invalid;
  -135, -138 no permission to send ZNS), which an operator can fix while the
  message waits; -124 again after a fresh token; HTTP 408/429/5xx, timeouts.
- failed at once: the citizen cannot be reached (-108 phone invalid, -110 Zalo
  version too old, -114 inactive or refusing, -118 no Zalo account, -119 cannot
  receive ZNS, -139 refused ZNS): a citizen without Zalo is not a retry; the
  template (-109 id invalid, -111/-112 data empty or invalid, -116 text invalid,
  -117 not the OA's, -131 not approved, -132 a parameter invalid); and any code
  not listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from pakn.notify import texting
from pakn.notify.base import Notice, Rejected, RetryLater
from pakn.notify.phones import international_mobile
from pakn.notify.replies import reason
from pakn.notify.zns_token import TokenSource
from pakn.settings.phone import ZnsConfig

SERVICE = "zns"
SEND_PATH = "/message/template"
TOKEN_INVALID = -124
STATE_FILE = "zns_token.json"
RETRY_CODES = frozenset({-100, -101, -102, -103, -104, -105, -115, -125, -133, -135, -138, -144})


def template_request(notice: Notice, config: ZnsConfig, phone: str) -> dict[str, Any]:
    """The send request's body for `notice`: its event's template (the English
    one for an English notice, when approved) with each parameter filled from
    the notice's fields. Rejected when the event has no template or the notice
    lacks a field the template needs."""
    template = next((found for event, found in config.templates.items() if event == notice.event), None)
    if template is None:
        raise Rejected(f"zns: no template for the event {notice.event!r}")
    fields = texting.notice_fields(notice, config.tracking_url)
    missing = sorted({name for name in template.params.values() if not fields.get(name)})
    if missing:
        raise Rejected(f"zns: the {notice.event} template needs {', '.join(missing)}, which the notice lacks")
    data = {
        parameter: texting.shorten(fields[name], template.max_lengths.get(parameter, 10_000))
        for parameter, name in template.params.items()
    }
    english = notice.locale == "en" and template.template_id_en
    body: dict[str, Any] = {
        "phone": phone,
        "template_id": template.template_id_en if english else template.template_id,
        "template_data": data,
        "tracking_id": texting.idempotency_key(notice),
    }
    if config.development_mode:
        body["mode"] = "development"
    return body


class ZnsProvider:
    """A ZNS client for one flush (`aclose` at its end); the access token
    outlives it, cached by zns_token.py. The refresh token is kept in
    `config.state_file`, else in `state_dir`/zns_token.json."""

    channel = "zns"

    def __init__(self, config: ZnsConfig, state_dir: Path | None = None) -> None:
        state_file = config.state_file or (state_dir / STATE_FILE if state_dir else None)
        if state_file is None:
            raise ValueError("zns: set zns.state_file, or give the provider the var directory")
        self.config = config
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(config.timeout_seconds))
        self._tokens = TokenSource(config, state_file, self._client)
        self._secrets = (config.secret_key.get_secret_value(), config.refresh_token.get_secret_value())

    async def send(self, notice: Notice) -> str:
        phone = international_mobile(notice.recipient)
        if phone is None:
            raise Rejected("zns: the recipient is not a Vietnamese mobile number")
        body = template_request(notice, self.config, phone)
        token = await self._tokens.access_token()
        answer = await self._post(token, body)
        if _code(answer) == TOKEN_INVALID:
            self._tokens.forget(token)
            token = await self._tokens.access_token()
            answer = await self._post(token, body)
            if _code(answer) == TOKEN_INVALID:
                raise RetryLater("zns: Zalo refused a freshly refreshed access token (-124)")
        return self._outcome(answer, token, body["tracking_id"])

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _post(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.config.api_base_url.rstrip("/") + SEND_PATH
        response = await texting.post(
            self._client, SERVICE, url, self.config.timeout_seconds, headers={"access_token": token}, json=body
        )
        if not response.is_success:
            raise texting.status_failure(SERVICE, response)
        return texting.json_object(SERVICE, response)

    def _outcome(self, answer: dict[str, Any], token: str, tracking_id: str) -> str:
        code = _code(answer)
        if code is None:
            raise RetryLater("zns: Zalo answered without an error code")
        if code == 0:
            data = answer.get("data")
            message_id = data.get("msg_id") if isinstance(data, dict) else None
            return str(message_id) if message_id is not None else f"tracking_id {tracking_id}"
        line = f"zns error {code}: {reason(answer.get('message') or 'no message', (*self._secrets, token))}"
        if code in RETRY_CODES:
            raise RetryLater(line)
        raise Rejected(line)


def _code(answer: dict[str, Any]) -> int | None:
    """Zalo's "error" as a number (documented as one; a string would not fool us)."""
    try:
        return int(answer["error"])
    except (KeyError, TypeError, ValueError):
        return None
