"""One interface for every channel that reaches a citizen outside e-mail (push,
SMS, Zalo ZNS, Web Push): a provider sends one `Notice` to one recipient and
says, by the exception it raises, what the outbox should do next.

Providers are HTTP clients only: they never touch the database. The outbox's
sender (pakn/mail/sender.py) claims the rows, calls `send`, and records the
outcome, so "exactly once" stays where the row lock is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Notice:
    """One message for one recipient on one channel."""

    key: str  # the outbox row's dedupe key: stable across retries (an idempotency key where the provider has one)
    recipient: str  # an FCM registration token, a phone number, a Web Push subscription (JSON)
    event: str  # received | info_requested | answered | rejected | merged | original_answered | closed | extended
    title: str  # in the citizen's language
    body: str
    locale: str = "vi"  # vi | en
    # Tracking code, status and event details as strings: the push data payload,
    # the parameters of a ZNS template, the fields of an SMS template.
    data: dict[str, str] = field(default_factory=dict)


class DeliveryError(Exception):
    """The provider did not take the message; `str(error)` is the one line an
    operator reads in `pakn outbox status`."""


class RetryLater(DeliveryError):
    """Worth another try (timeout, 429, 5xx, quota): after `retry_after` seconds
    when the provider said so (Retry-After), else after the outbox's backoff."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Rejected(DeliveryError):
    """Will never go as it is (a malformed request, a template the provider does
    not know, a number it refuses): the message fails at once."""


class RecipientGone(Rejected):
    """The recipient no longer exists (FCM UNREGISTERED, Web Push 404/410): the
    message fails and the caller forgets the token or subscription."""


class Provider(Protocol):
    """A channel's client. Made per flush (`aclose` at its end); whatever must
    outlive a flush, such as an OAuth token until its expiry, is cached by the
    provider's module."""

    channel: str  # "push" | "webpush" | "sms" | "zns"

    async def send(self, notice: Notice) -> str:
        """Deliver `notice`; the provider's message id (kept on the outbox row).
        Raises RetryLater, Rejected or RecipientGone, never anything else."""
        ...

    async def aclose(self) -> None: ...
