"""Which channels a report's notices go to (issue 14): the citizen's choice at
submission, checked against what the province offers and what the citizen gave,
or the default when the citizen did not choose.

Nothing is sent to a channel the citizen did not accept, so a choice that
cannot be honoured is refused (422 naming the item), never quietly changed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from pakn.core.problems import FieldError, unprocessable
from pakn.submission.schemas import ContactIn, NoticeChannel

# E-mail needs no provider of the province's: it is always offered.
ALWAYS_OFFERED = frozenset({"email"})
NAMES = {
    "email": ("e-mail", "e-mail"),
    "push": ("thông báo đẩy trên ứng dụng", "app push notifications"),
    "webpush": ("thông báo trên trình duyệt", "browser notifications"),
    "sms": ("tin nhắn SMS", "SMS"),
    "zns": ("tin nhắn Zalo", "Zalo messages"),
}


@dataclass(frozen=True)
class Reach:
    """What a submission gives to reach the citizen by."""

    offered: Collection[str]  # the province's channels besides e-mail ([notify] channels)
    contact: ContactIn | None
    platform: str | None = None  # of the registered device that submits: android | ios | web
    has_push_token: bool = False

    @property
    def push_channel(self) -> str | None:
        """The device's own channel: push for an app, webpush for a browser."""
        if self.platform is None:
            return None
        return "webpush" if self.platform == "web" else "push"


def accepted_channels(chosen: list[NoticeChannel] | None, reach: Reach) -> list[str]:
    """The channels to store on the report: `chosen` when each can be honoured
    (else 422), or the default when the citizen did not choose."""
    if chosen is None:
        return default_channels(reach)
    errors = [error for index, channel in enumerate(chosen) if (error := _refusal(index, channel, reach))]
    if errors:
        raise unprocessable(errors)
    return list(chosen)


def default_channels(reach: Reach) -> list[str]:
    """Push to the submitting device when it can take it, else e-mail when given,
    else none: SMS and Zalo cost the province money, so only when chosen."""
    own = reach.push_channel
    if own is not None and reach.has_push_token and own in reach.offered:
        return [own]
    if reach.contact is not None and reach.contact.email:
        return ["email"]
    return []


def _refusal(index: int, channel: str, reach: Reach) -> FieldError | None:
    vi, en = NAMES[channel]
    if channel not in ALWAYS_OFFERED and channel not in reach.offered:
        return _error(
            index, "channel_not_offered", f"Tỉnh/thành phố chưa cung cấp {vi}.", f"The province does not offer {en}."
        )
    if channel in ("push", "webpush"):
        return _push_refusal(index, channel, reach)
    contact = reach.contact or ContactIn()
    if channel == "email" and not contact.email:
        return _error(index, "email_required", "Cần địa chỉ e-mail (contact.email).", "Needs contact.email.")
    if channel in ("sms", "zns") and not contact.phone:
        return _error(index, "phone_required", "Cần số điện thoại (contact.phone).", "Needs contact.phone.")
    return None


def _push_refusal(index: int, channel: str, reach: Reach) -> FieldError | None:
    if reach.platform is None or not reach.has_push_token:
        return _error(
            index,
            "push_token_required",
            "Cần gửi từ thiết bị đã đăng ký có mã nhận thông báo (Authorization: Device ..., push_token).",
            "Needs a registered device with a push token (Authorization: Device ..., push_token).",
        )
    if channel != reach.push_channel:
        return _error(
            index,
            "wrong_push_channel",
            "Ứng dụng (android, ios) nhận 'push', trình duyệt (web) nhận 'webpush'.",
            "Apps (android, ios) take 'push', browsers (web) take 'webpush'.",
        )
    return None


def _error(index: int, code: str, message_vi: str, message_en: str) -> FieldError:
    return FieldError(f"notify.{index}", code, message_vi, message_en)
