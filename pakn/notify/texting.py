"""What the SMS and Zalo adapters share: the fields a notice offers their
templates, one POST whose whole wait is bounded, and an HTTP failure turned
into the outbox's exception."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx

from pakn.notify.base import DeliveryError, Notice, Rejected, RetryLater
from pakn.notify.replies import retry_after

# Worth another try: request timeout, too early, rate limited; and every 5xx.
_RETRY_STATUSES = frozenset({408, 425, 429})


def notice_fields(notice: Notice, tracking_url: str) -> dict[str, str]:
    """What a template may name: `code` (the tracking code), `title`, `body`,
    `url` (the tracking page, when `tracking_url` is set) and every key of
    Notice.data, which wins over the others but `code`."""
    code = notice.data.get("tracking_code") or notice.data.get("code") or ""
    fields = {"title": notice.title, "body": notice.body}
    if tracking_url and code:
        fields["url"] = tracking_url.format(code=code)
    return {**fields, **notice.data, "code": code}


def idempotency_key(notice: Notice) -> str:
    """The provider's request id for this notice: the same on every try, and not
    the outbox's key itself (which names the report)."""
    return hashlib.sha256(notice.key.encode()).hexdigest()[:32]


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary with "…" to `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    start = text[: limit - 1]
    if text[limit - 1] != " ":
        start = start[: max(start.rfind(" "), 0)]
    return start.rstrip() + "…" if start.strip() else text[: limit - 1] + "…"


async def post(client: httpx.AsyncClient, service: str, url: str, timeout: float, **request: Any) -> httpx.Response:
    """POST, with the whole exchange bounded (httpx bounds each read, not a
    server that drips); transport failures become RetryLater."""
    try:
        async with asyncio.timeout(timeout):
            return await client.post(url, **request)
    except (TimeoutError, httpx.TimeoutException):
        raise RetryLater(f"{service}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise RetryLater(f"{service}: unreachable ({type(exc).__name__})") from None


def status_failure(service: str, response: httpx.Response) -> DeliveryError:
    """A non-2xx answer: 408, 425, 429 and 5xx are worth another try, after
    Retry-After when given; anything else will not go as it is."""
    status = response.status_code
    if status in _RETRY_STATUSES or status >= 500:
        return RetryLater(f"{service}: HTTP {status}", retry_after(response))
    return Rejected(f"{service}: HTTP {status}")


def json_object(service: str, response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object; an answer that is not one may hide a message
    that went, so it is retried (the provider's idempotency key catches a double)."""
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise RetryLater(f"{service}: HTTP {response.status_code} without a JSON object")
    return answer
