"""The Zalo Official Account's access token: obtained with the refresh token,
cached in the process until shortly before it expires, and the refresh token,
which works once, kept on disk as it rotates.

Zalo's OAuth v4 (developers.zalo.me, Official Account API, "access token from
refresh token"): POST {oauth_base_url}/v4/oa/access_token with the header
secret_key (the app's secret) and the form refresh_token, app_id,
grant_type=refresh_token; answered {"access_token", "refresh_token",
"expires_in": "90000"} (seconds, a string: about 25 hours) or, refused,
{"error": <negative code>, "error_name", "error_description"}.

Each answer carries the next refresh token and spends the one presented, so
the new one is written to the state file (atomically, mode 0600) before the
access token is used: after a restart the kept token is used, not the spent
one of the settings. A new refresh token in the settings (the app authorised
again) wins over the kept chain, which remembers a fingerprint of the token it
started from.

A refresh token must never be presented twice: refreshes are serialised by an
asyncio.Lock in the process and an flock on <state file>.lock between
processes, and the state file is read again under both.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import math
import os
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from pakn.notify import texting
from pakn.notify.base import RetryLater
from pakn.notify.replies import reason
from pakn.settings.phone import ZnsConfig

SERVICE = "zns oauth"
TOKEN_PATH = "/v4/oa/access_token"
# Renew this long before Zalo's expiry (a tenth of short lifetimes), so that a
# token is never sent in its last seconds.
EARLY_SECONDS = 300.0
MAX_LIFETIME = 30 * 86_400.0  # Zalo says about 25 hours; more is a mistake, not a licence


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # time.monotonic()


_Key = tuple[str, str]  # (app id, OAuth base URL)
_cache: dict[_Key, AccessToken] = {}
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[_Key, asyncio.Lock]] = weakref.WeakKeyDictionary()


def forget_access_tokens() -> None:
    """Drop every cached access token, as a restart does (the state file stays)."""
    _cache.clear()


class StateFile:
    """The newest refresh token of the chain that started from the configured one."""

    def __init__(self, path: Path, configured: str) -> None:
        self.path = path
        self._configured = configured
        self._origin = hashlib.sha256(configured.encode()).hexdigest()

    def current(self) -> str:
        kept = self._read()
        if kept.get("origin") == self._origin and isinstance(kept.get("refresh_token"), str):
            return str(kept["refresh_token"])
        return self._configured

    def keep(self, refresh_token: str) -> None:
        state = {"refresh_token": refresh_token, "origin": self._origin, "rotated_at": datetime.now(UTC).isoformat()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # a leftover temporary file may have had another mode
        with os.fdopen(descriptor, "w") as handle:
            json.dump(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}  # none yet, or unreadable: the configured token is all there is
        return data if isinstance(data, dict) else {}


class TokenSource:
    """Access tokens for one Zalo app, shared by every provider of the process."""

    def __init__(self, config: ZnsConfig, state_file: Path, client: httpx.AsyncClient) -> None:
        self.config = config
        self.state = StateFile(state_file, config.refresh_token.get_secret_value())
        self._client = client
        self._key: _Key = (config.app_id, config.oauth_base_url)

    async def access_token(self) -> str:
        cached = self._cached()
        if cached:
            return cached
        async with self._lock():
            cached = self._cached()  # another send refreshed while this one waited
            if cached:
                return cached
            try:
                async with self._file_lock():
                    token = await self._refresh(self.state.current())
            except OSError as exc:
                raise RetryLater(
                    f"zns: cannot keep the refresh token in {self.state.path.parent} ({exc.strerror})"
                ) from None
            _cache[self._key] = token
            return token.value

    def forget(self, value: str) -> None:
        """Zalo refused `value`: the next access_token() refreshes, unless another
        send already replaced it."""
        cached = _cache.get(self._key)
        if cached and cached.value == value:
            del _cache[self._key]

    def _cached(self) -> str | None:
        cached = _cache.get(self._key)
        return cached.value if cached and cached.expires_at > time.monotonic() else None

    def _lock(self) -> asyncio.Lock:
        # One lock per event loop: a lock is bound to the loop it first waits on,
        # and each CLI command runs a loop of its own.
        return _locks.setdefault(asyncio.get_running_loop(), {}).setdefault(self._key, asyncio.Lock())

    @contextlib.asynccontextmanager
    async def _file_lock(self) -> AsyncIterator[None]:
        path = self.state.path.with_name(self.state.path.name + ".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + 3 * self.config.timeout_seconds
        try:
            while True:  # polled, not blocking: a cancelled send must not leave a thread waiting
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise RetryLater("zns: another process kept the token lock too long") from None
                    await asyncio.sleep(0.05)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    async def _refresh(self, refresh_token: str) -> AccessToken:
        config = self.config
        response = await texting.post(
            self._client,
            SERVICE,
            config.oauth_base_url.rstrip("/") + TOKEN_PATH,
            config.timeout_seconds,
            headers={"secret_key": config.secret_key.get_secret_value()},
            data={"refresh_token": refresh_token, "app_id": config.app_id, "grant_type": "refresh_token"},
        )
        if not response.is_success:
            raise texting.status_failure(SERVICE, response)
        answer = texting.json_object(SERVICE, response)
        access, rotated = answer.get("access_token"), answer.get("refresh_token")
        if not (isinstance(access, str) and access and isinstance(rotated, str) and rotated):
            raise self._refused(answer, refresh_token)
        self.state.keep(rotated)  # before anything else can fail: the presented token is spent
        lifetime = _seconds(answer.get("expires_in"))
        return AccessToken(access, time.monotonic() + lifetime - min(EARLY_SECONDS, lifetime / 10))

    def _refused(self, answer: dict[str, Any], refresh_token: str) -> RetryLater:
        said = answer.get("error_description") or answer.get("error_name") or answer.get("message") or "no reason"
        secrets = (refresh_token, self.config.secret_key.get_secret_value())
        return RetryLater(
            f"zns: Zalo refused the token refresh (error {answer.get('error', '?')}: {reason(said, secrets)});"
            " if the refresh token is spent, authorise the app again and set zns.refresh_token"
        )


def _seconds(value: object) -> float:
    """expires_in as seconds; nonsense counts as already expired."""
    try:
        seconds = float(str(value))
    except ValueError:
        return 0.0
    return min(seconds, MAX_LIFETIME) if math.isfinite(seconds) and seconds > 0 else 0.0
