"""What the two push adapters (FCM, Web Push) share: the tag that names a
notice on the device, fitting a long text into a provider's size limit, and
a network failure as one line for the outbox."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import httpx

from pakn.notify.base import Rejected, RetryLater

ELLIPSIS = "…"


def notice_tag(key: str) -> str:
    """A short, stable name for one notice that reveals nothing of its key.

    The outbox may send a notice twice (a reply lost after the provider took
    it). With this tag as FCM's android `tag` and `apns-collapse-id`, Web Push's
    `Topic` and the service worker's notification tag, a second copy replaces
    the first instead of showing twice. 24 bytes: 32 base64url characters, the
    most a Web Push Topic may have."""
    digest = hashlib.sha256(key.encode()).digest()[:24]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def fit_body(render: Callable[[str], bytes], body: str, budget: int, provider: str) -> bytes:
    """`render(body)`, the body cut short (…) until the result has at most
    `budget` bytes: a long official answer must not stop its own notice, whose
    whole text the citizen reads in the app. Rejected when even no body fits."""
    payload = render(body)
    while len(payload) > budget:
        if not body:
            raise Rejected(f"{provider}: the message is {len(payload)} bytes without its body, above {budget}")
        encoded = body.encode()
        keep = max(0, len(encoded) - (len(payload) - budget) - len(ELLIPSIS.encode()))
        shorter = encoded[:keep].decode(errors="ignore").rstrip()
        body = shorter + ELLIPSIS if shorter else ""
        payload = render(body)
    return payload


def unreachable(provider: str, error: httpx.HTTPError) -> RetryLater:
    """A timeout or a network failure, named without the URL: a Web Push
    endpoint is the subscription's capability and stays out of the outbox."""
    what = "timed out" if isinstance(error, httpx.TimeoutException) else "unreachable"
    return RetryLater(f"{provider}: {what} ({type(error).__name__})")
