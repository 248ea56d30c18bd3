"""What a request handler needs from the running app, typed."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request

from pakn.core.clients import client_address
from pakn.settings import Settings


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def server_key_of(request: Request) -> bytes:
    key: bytes = request.app.state.server_key
    return key


def client_address_of(request: Request) -> str:
    """The client's address, X-Forwarded-For believed only from trusted proxies."""
    return client_address(request, settings_of(request).trusted_proxies)


def now_of(request: Request) -> datetime:
    """The instant of this request, in the service's time zone."""
    return datetime.now(settings_of(request).tz)
