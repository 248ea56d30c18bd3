"""The citizen's phone channels: `[sms]`, brandname SMS through an HTTP gateway
(eSMS.vn's JSON API by default, other gateways by `[sms.gateway]`), and `[zns]`,
Zalo Notification Service template messages. Both off by default.

Texts are checked here for their form only (named placeholders, the tracking
code present); whether a text fits an SMS is the adapter's business
(pakn/notify/gsm7.py): it shortens what overflows, never sends over budget.
"""

from __future__ import annotations

from pathlib import Path
from string import Formatter
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

NoticeEvent = Literal[
    "received", "info_requested", "answered", "rejected", "merged", "original_answered", "closed", "extended"
]
NOTICE_EVENTS: tuple[str, ...] = get_args(NoticeEvent)
ESMS_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
# What a template may name besides the Notice's data keys; `code` is the tracking code.
CODE = "code"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def placeholders(template: str) -> list[str]:
    """The names a text template fills, in order; ValueError for anything but
    plain `{name}` (no positions, attributes, indexes, formats or conversions:
    a template is configuration, not code)."""
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"unbalanced braces in {template!r}") from exc
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"placeholder {{{name}}} in {template!r}: only {{name}} is allowed")
        names.append(name)
    return names


class SmsText(_Strict):
    """One event's SMS, in Vietnamese (with its marks: they are dropped when the
    gateway takes GSM-7 only) and in English."""

    vi: str = Field(min_length=1, max_length=1000)
    en: str = Field(min_length=1, max_length=1000)

    @field_validator("vi", "en")
    @classmethod
    def _names_the_tracking_code(cls, value: str) -> str:
        if CODE not in placeholders(value):
            raise ValueError(f"{value!r} must contain {{{CODE}}}, the tracking code")
        return value


# Only {code} in the defaults: every notice carries it. An operator may add {url}
# (with tracking_url), {title}, {body} or any key the notices put in Notice.data.
DEFAULT_SMS_TEXTS: dict[NoticeEvent, SmsText] = {
    "received": SmsText(
        vi="PAKN: Đã tiếp nhận phản ánh {code}. Dùng mã này để tra cứu kết quả xử lý.",
        en="PAKN: Report {code} received. Use this code to follow it.",
    ),
    "info_requested": SmsText(
        vi="PAKN: Phản ánh {code} cần bổ sung thông tin. Xem yêu cầu trên ứng dụng hoặc trang tra cứu.",
        en="PAKN: Report {code} needs more information. See the request in the app or on the tracking page.",
    ),
    "answered": SmsText(
        vi="PAKN: Phản ánh {code} đã có kết quả xử lý. Xem chi tiết trên ứng dụng hoặc trang tra cứu.",
        en="PAKN: Report {code} has been answered. See the answer in the app or on the tracking page.",
    ),
    "rejected": SmsText(
        vi="PAKN: Phản ánh {code} không được tiếp nhận xử lý. Xem lý do trên ứng dụng hoặc trang tra cứu.",
        en="PAKN: Report {code} was not accepted. See the reason in the app or on the tracking page.",
    ),
    "merged": SmsText(
        vi="PAKN: Phản ánh {code} trùng với một phản ánh đã có và được xử lý cùng phản ánh đó.",
        en="PAKN: Report {code} repeats an earlier report and is handled together with it.",
    ),
    "original_answered": SmsText(
        vi="PAKN: Phản ánh {code} đã có kết quả xử lý (cùng phản ánh gốc). Xem trên ứng dụng hoặc trang tra cứu.",
        en="PAKN: Report {code} has been answered with the earlier report. See it in the app or on the tracking page.",
    ),
    "closed": SmsText(
        vi="PAKN: Phản ánh {code} đã được đóng.",
        en="PAKN: Report {code} has been closed.",
    ),
    "extended": SmsText(
        vi="PAKN: Thời hạn xử lý phản ánh {code} đã được gia hạn. Xem hạn mới trên ứng dụng hoặc trang tra cứu.",
        en="PAKN: The deadline of report {code} was extended. See the new date in the app or on the tracking page.",
    ),
}


class SmsGateway(_Strict):
    """The gateway's JSON API: request keys, reply keys and what its result
    codes mean. The defaults are eSMS.vn's SendMultipleMessage_V4_post_json;
    another Vietnamese gateway with a JSON POST is a matter of renaming. An
    empty key name leaves that field out of the request."""

    api_key_field: str = "ApiKey"
    secret_key_field: str = "SecretKey"
    phone_field: str = "Phone"
    content_field: str = "Content"
    brandname_field: str = "Brandname"
    unicode_field: str = "IsUnicode"  # "1" for UCS-2 text, "0" for GSM-7
    request_id_field: str = "RequestId"  # the gateway's idempotency key
    # Sent as they are: SmsType 2 is eSMS's customer-care brandname SMS; add
    # Sandbox = "1" to test against eSMS without sending.
    constant_fields: dict[str, str] = {"SmsType": "2"}
    phone_format: Literal["84", "0"] = "84"  # 84912345678 or 0912345678
    code_field: str = "CodeResult"
    message_id_field: str = "SMSID"
    error_field: str = "ErrorMessage"
    accepted_codes: list[str] = ["100"]
    # "This RequestId was already taken": an earlier try went through.
    duplicate_codes: list[str] = ["124"]
    # Codes worth another try; any other code fails the message (pakn/notify/sms.py
    # explains eSMS's table): 99 unknown error (older tables) or number blocked,
    # 101 credentials refused, 102 no price list, 103 balance too low, 140 server
    # address not on the gateway's allow list. The account's problems, not the message's:
    # the message waits while an operator fixes them.
    retry_codes: list[str] = ["99", "101", "102", "103", "140"]

    @model_validator(mode="after")
    def _codes_mean_one_thing(self) -> SmsGateway:
        groups = (self.accepted_codes, self.duplicate_codes, self.retry_codes)
        if len({code for group in groups for code in group}) != sum(len(group) for group in groups):
            raise ValueError("a result code appears in more than one of accepted, duplicate and retry codes")
        return self


class SmsConfig(_Strict):
    """[sms]: the gateway; the channel is offered when [notify] channels names it."""

    url: str = Field(ESMS_URL, pattern=r"^https?://", max_length=500)
    api_key: SecretStr = SecretStr("")
    secret_key: SecretStr = SecretStr("")
    brandname: str = Field("", max_length=11, pattern=r"^[A-Za-z0-9 ._-]*$")  # a sender name: 11 characters
    # False: GSM-7 only, Vietnamese sent without its marks (đ → d), 160 characters
    # a message; True: UCS-2, marks kept, 70 characters a message.
    unicode: bool = False
    # Messages one text may take: 1 is 160 (GSM-7) / 70 (UCS-2) characters; a text
    # of n > 1 parts has 153 / 67 characters each. Each part is paid for.
    max_segments: int = Field(1, ge=1, le=6)
    timeout_seconds: float = Field(10, gt=0, le=120)
    # The tracking page, with {code}: gives templates a {url}.
    tracking_url: str = Field("", max_length=300)
    templates: dict[NoticeEvent, SmsText] = DEFAULT_SMS_TEXTS
    gateway: SmsGateway = SmsGateway()

    @field_validator("templates", mode="before")
    @classmethod
    def _every_event_has_a_text(cls, value: Any) -> Any:
        """A configuration that changes one event's text keeps the others' defaults."""
        return {**DEFAULT_SMS_TEXTS, **value} if isinstance(value, dict) else value

    @field_validator("tracking_url")
    @classmethod
    def _tracking_url_names_the_code(cls, value: str) -> str:
        if value and placeholders(value) != [CODE]:
            raise ValueError("tracking_url must contain {code} once and nothing else in braces")
        return value

    @model_validator(mode="after")
    def _credentials_set(self) -> SmsConfig:
        missing = [name for name in ("api_key", "secret_key") if not getattr(self, name).get_secret_value()]
        if self.gateway.brandname_field and not self.brandname:
            missing.append("brandname")
        if missing:
            raise ValueError(f"sms: {', '.join(missing)} not set")
        return self


class ZnsTemplate(_Strict):
    """One event's approved ZNS template: its id (and the id of an English
    version, if the province had one approved) and which notice field fills each
    of its parameters: `code`, `url`, `title`, `body` or a key of Notice.data."""

    template_id: str = Field(pattern=r"^[0-9A-Za-z_-]{1,64}$")
    template_id_en: str | None = Field(None, pattern=r"^[0-9A-Za-z_-]{1,64}$")
    params: dict[str, str] = Field(default_factory=dict)  # template parameter → notice field
    # Zalo refuses a parameter over its type's length (30 characters for most):
    # longer values are cut at a word boundary.
    max_lengths: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _lengths_name_parameters(self) -> ZnsTemplate:
        unknown = sorted(set(self.max_lengths) - set(self.params))
        if unknown:
            raise ValueError(f"max_lengths names parameters that are not in params: {', '.join(unknown)}")
        if any(length < 1 for length in self.max_lengths.values()):
            raise ValueError("max_lengths must be positive")
        return self


class ZnsConfig(_Strict):
    """[zns]: the Zalo app and OA; the channel is offered when [notify] channels names it."""

    app_id: str = Field("", max_length=64)
    secret_key: SecretStr = SecretStr("")  # the Zalo app's secret key
    # The OA's refresh token, used once: Zalo answers each refresh with a new one,
    # which is kept in state_file. Setting a new value here (after authorising the
    # app again) takes precedence over the kept one.
    refresh_token: SecretStr = SecretStr("")
    api_base_url: str = Field("https://business.openapi.zalo.me", pattern=r"^https?://", max_length=300)
    oauth_base_url: str = Field("https://oauth.zaloapp.com", pattern=r"^https?://", max_length=300)
    timeout_seconds: float = Field(10, gt=0, le=120)
    # Where the newest refresh token is kept (mode 0600); None: var_dir/zns_token.json.
    state_file: Path | None = None
    # Zalo's development mode: messages go only to the OA's administrators, free.
    development_mode: bool = False
    tracking_url: str = Field("", max_length=300)  # as in [sms]: gives templates a `url` field
    templates: dict[NoticeEvent, ZnsTemplate] = Field(default_factory=dict)

    @field_validator("tracking_url")
    @classmethod
    def _tracking_url_names_the_code(cls, value: str) -> str:
        if value and placeholders(value) != [CODE]:
            raise ValueError("tracking_url must contain {code} once and nothing else in braces")
        return value

    @model_validator(mode="after")
    def _credentials_set(self) -> ZnsConfig:
        missing = [name for name in ("secret_key", "refresh_token") if not getattr(self, name).get_secret_value()]
        missing = (["app_id"] if not self.app_id else []) + missing + ([] if self.templates else ["templates"])
        if missing:
            raise ValueError(f"zns: {', '.join(missing)} not set")
        return self
