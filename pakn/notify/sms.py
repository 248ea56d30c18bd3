"""SMS through a Vietnamese brandname-SMS gateway's HTTP API, channel "sms".

The request and reply shapes are settings ([sms.gateway], pakn/settings/phone.py);
the defaults are eSMS.vn's "Send OTP/Customer care message" API
(developers.esms.vn): POST JSON to SendMultipleMessage_V4_post_json with
{ApiKey, SecretKey, Phone, Content, Brandname, SmsType: "2", IsUnicode: "0" | "1",
RequestId}, answered {"CodeResult": "100", "SMSID": "..."} or {"CodeResult":
"<code>", "ErrorMessage": "..."}. RequestId is the gateway's guard against
duplicates: a hash of the notice's outbox key, so that a try whose answer was
lost, tried again, is answered 124 ("duplicate RequestId") and counts as sent.

eSMS's "Table of error codes", and what the outbox does with each:
- 100 accepted, 124 duplicate RequestId (an earlier try went) → sent.
- 99 (the number blocked, in the current table; "unknown error, try again" in
  older ones, and the code of an unreadable request), 101 ApiKey/SecretKey
  refused, 102 no price list, 103 balance too low, 140 server address not
  allowed → tried again later: the province's account is at fault, not the
  message, and an operator can fix it while the message waits.
- 104 brandname not registered, 108 number format, 118 message type not
  supported, 119 (older tables: advertising needs 20 numbers), 146 customer-care
  template not registered, 177 the carrier not registered for the brandname, 300
  message type missing, and any code not listed → failed: as it is, the
  message will never go.
- HTTP 408/429/5xx, timeouts and connection errors → tried again, after
  Retry-After when the gateway gives one.
"""

from __future__ import annotations

from typing import Any

import httpx

from pakn.notify import texting
from pakn.notify.base import Notice, Rejected, RetryLater
from pakn.notify.gsm7 import fit
from pakn.notify.phones import international_mobile, national_mobile
from pakn.notify.replies import reason
from pakn.settings.phone import CODE, SmsConfig, placeholders

SERVICE = "sms gateway"


def sms_text(notice: Notice, config: SmsConfig) -> str:
    """The text sent for `notice`: its event's template in the notice's language,
    filled, in the gateway's alphabet and within max_segments. Rejected when the
    template names a field the notice lacks."""
    texts = next((found for event, found in config.templates.items() if event == notice.event), None)
    if texts is None:
        raise Rejected(f"sms: no text for the event {notice.event!r}")
    template = texts.en if notice.locale == "en" else texts.vi
    fields = texting.notice_fields(notice, config.tracking_url)
    if not fields[CODE]:
        raise Rejected("sms: the notice has no tracking code")
    missing = sorted(set(placeholders(template)) - set(fields))
    if missing:
        raise Rejected(f"sms: the {notice.event} text names {', '.join(missing)}, which the notice lacks")
    try:
        return fit(template, fields, config.unicode, config.max_segments, keep=frozenset({CODE}))
    except ValueError as exc:
        raise Rejected(f"sms: {exc}") from None


class SmsProvider:
    """A gateway client for one flush (`aclose` at its end)."""

    channel = "sms"

    def __init__(self, config: SmsConfig) -> None:
        self.config = config
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(config.timeout_seconds))
        self._secrets = (config.api_key.get_secret_value(), config.secret_key.get_secret_value())

    async def send(self, notice: Notice) -> str:
        phone = international_mobile(notice.recipient)
        if phone is None:
            raise Rejected("sms: the recipient is not a Vietnamese mobile number")
        request_id = texting.idempotency_key(notice)
        body = self._request(phone, sms_text(notice, self.config), request_id)
        response = await texting.post(self._client, SERVICE, self.config.url, self.config.timeout_seconds, json=body)
        return self._outcome(response, request_id)

    async def aclose(self) -> None:
        await self._client.aclose()

    def _request(self, phone: str, text: str, request_id: str) -> dict[str, str]:
        gateway, config = self.config.gateway, self.config
        fields = {
            gateway.api_key_field: config.api_key.get_secret_value(),
            gateway.secret_key_field: config.secret_key.get_secret_value(),
            gateway.phone_field: phone if gateway.phone_format == "84" else national_mobile(phone),
            gateway.content_field: text,
            gateway.brandname_field: config.brandname,
            gateway.unicode_field: "1" if config.unicode else "0",
            gateway.request_id_field: request_id,
        }
        return {**gateway.constant_fields, **{name: value for name, value in fields.items() if name}}

    def _outcome(self, response: httpx.Response, request_id: str) -> str:
        if not response.is_success:
            raise texting.status_failure(SERVICE, response)
        gateway = self.config.gateway
        answer: dict[str, Any] = texting.json_object(SERVICE, response)
        found = answer.get(gateway.code_field)
        code = "" if found is None else str(found)  # some gateways answer numbers, and 0 may be a code
        if code in gateway.accepted_codes:
            return str(answer.get(gateway.message_id_field) or f"RequestId {request_id}")
        if code in gateway.duplicate_codes:
            return f"RequestId {request_id}"
        said = answer.get(gateway.error_field) or answer.get("error") or "no message"
        line = f"{SERVICE} code {code or '(none)'}: {reason(said, self._secrets)}"
        # No code at all is what eSMS answers an unreadable request (its "99").
        if code in gateway.retry_codes or not code:
            raise RetryLater(line)
        raise Rejected(line)
