"""Browser notifications for the public web form (issue 14): the form offers
them when the province does, web-push.js registers the browser as a device
(POST /api/v1/devices) and the form posts the device's secret, which is
checked here as the API checks `Authorization: Device ...`. The service
worker that shows the notices is served at the site's root, so that its scope
is every public page."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from pakn.accounts import authenticate_device
from pakn.console.static_files import DIRECTORY
from pakn.core.problems import Problem
from pakn.notify import vapid_public_key
from pakn.settings import Settings

if TYPE_CHECKING:
    from pakn.models import Device

CHANNEL = "webpush"
SERVICE_WORKER = DIRECTORY / "sw.js"


def application_server_key(settings: Settings) -> str | None:
    """The VAPID public key for `pushManager.subscribe`, when the province offers
    Web Push; None (no checkbox) otherwise or when the key cannot be read."""
    if CHANNEL not in settings.notify.channels or settings.webpush is None:
        return None
    try:
        return _public_key(settings.webpush.vapid_private_key_file)
    except (OSError, ValueError):  # checked at start-up; gone since: the form works without
        return None


@cache
def _public_key(path: Path) -> str:
    # Read once: a new key needs a restart anyway (it orphans every subscription).
    return vapid_public_key(path)


def browser_refused() -> Problem:
    """A device secret that names no registered browser: 401, and no report."""
    return Problem(
        401,
        "unauthorized",
        "Chưa xác thực",
        "Unauthorized",
        "Không xác nhận được đăng ký nhận thông báo của trình duyệt này. "
        "Hãy bỏ chọn rồi chọn lại ô nhận thông báo, hoặc gửi mà không nhận thông báo.",
        "This browser's sign-up for notifications could not be confirmed. "
        "Untick and tick the notifications box again, or send without notifications.",
        headers={"WWW-Authenticate": 'Device realm="pakn"'},
    )


async def posted_device(secret: str, now: datetime) -> Device | None:
    """The registered device whose secret the form carries; None without one."""
    if not secret:
        return None
    try:
        return await authenticate_device(secret, now)
    except Problem as problem:
        if problem.status == 401:
            raise browser_refused() from None
        raise


async def service_worker(request: Request) -> Response:
    # Revalidated at every update check: a changed worker reaches browsers at once.
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    return FileResponse(SERVICE_WORKER, media_type="text/javascript", headers=headers)


routes = [Route("/sw.js", service_worker, methods=["GET"], name="service_worker")]
