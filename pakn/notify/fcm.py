"""Push to the mobile app through Firebase Cloud Messaging HTTP v1 (Android
and iOS alike): `POST {base_url}/v1/projects/{project}/messages:send` with an
OAuth 2 access token for the service account in `[fcm] credentials_file`.

google-auth signs the JWT assertion locally and trades it for the token; its
client is synchronous (requests), so the trade runs in a worker thread under a
timeout. The token is kept per key file for the whole process, until a minute
before it expires, so that each flush does not fetch a new one.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import requests
from google.auth import exceptions as google_errors
from google.auth.transport import requests as google_requests
from google.oauth2 import service_account

from pakn.notify.base import DeliveryError, Notice, RecipientGone, Rejected, RetryLater
from pakn.notify.push_common import fit_body, notice_tag, unreachable
from pakn.notify.replies import reason, retry_after
from pakn.settings.push import FcmConfig

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
REFRESH_EARLY = timedelta(minutes=1)
# FCM refuses messages over 4096 bytes of notification and data; the whole
# request staying under this leaves room for the token and platform blocks.
MESSAGE_BUDGET = 4000
# FCM's advice for QUOTA_EXCEEDED without Retry-After: wait at least a minute.
QUOTA_WAIT_SECONDS = 60.0
# FcmError codes meaning this registration token will never work again.
GONE_CODES = frozenset({"UNREGISTERED", "SENDER_ID_MISMATCH"})
FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"


class _TimedRequest(google_requests.Request):
    """google-auth's requests transport with our timeout on every call (its own
    default is two minutes)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def __call__(
        self, url: str, method: str = "GET", body: Any = None, headers: Any = None, timeout: Any = None, **kwargs: Any
    ) -> Any:
        # google-auth's transport is not annotated (nor are refresh and the loaders below).
        return super().__call__(url, method, body, headers, timeout=self._timeout, **kwargs)  # type: ignore[no-untyped-call]


@dataclass
class _Account:
    """One service account and its access token of the moment, shared by every
    flush of the process. `access_token` runs in worker threads, hence the lock."""

    credentials: service_account.Credentials
    lock: threading.Lock = field(default_factory=threading.Lock)
    token: str | None = None
    expires_at: datetime | None = None

    def access_token(self, timeout: float) -> str:
        # A refresh stuck in google-auth's own retries must not pile up threads behind it.
        if not self.lock.acquire(timeout=timeout):
            raise TimeoutError
        try:
            return self._fresh_token(timeout)
        finally:
            self.lock.release()

    def _fresh_token(self, timeout: float) -> str:
        if self.token and self.expires_at and datetime.now(UTC) < self.expires_at - REFRESH_EARLY:
            return self.token
        request = _TimedRequest(timeout)
        try:
            self.credentials.refresh(request)  # type: ignore[no-untyped-call]
        finally:
            request.session.close()
        self.token = str(self.credentials.token)
        expiry: datetime | None = self.credentials.expiry  # naive UTC, google-auth's convention
        self.expires_at = expiry.replace(tzinfo=UTC) if expiry else datetime.now(UTC) + REFRESH_EARLY
        return self.token

    def forget(self, token: str) -> None:
        """FCM refused `token` (401): fetch a new one next time. No lock: it may be
        held by a refresh in a thread, and at worst a fresh token is dropped."""
        if self.token == token:
            self.token = None


# (key file, its modification time, token_uri): a replaced key file is read anew.
_ACCOUNTS: dict[tuple[str, int, str | None], _Account] = {}
_ACCOUNTS_LOCK = threading.Lock()


def _account(config: FcmConfig) -> _Account:
    """The cached account for `config`, reading its key file the first time (in a worker thread)."""
    path = config.credentials_file.resolve()
    cache_key = (str(path), path.stat().st_mtime_ns, config.token_uri)
    with _ACCOUNTS_LOCK:
        if cache_key not in _ACCOUNTS:
            credentials = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                str(path), scopes=[SCOPE]
            )
            if config.token_uri:
                credentials = credentials.with_token_uri(config.token_uri)
            _ACCOUNTS[cache_key] = _Account(credentials)
        return _ACCOUNTS[cache_key]


@dataclass(frozen=True)
class _FcmError:
    """FCM's documented error body: {"error": {code, message, status, details}}."""

    status: str = ""
    message: str = ""
    error_code: str = ""  # from the FcmError detail: UNREGISTERED, QUOTA_EXCEEDED ...
    fields: tuple[str, ...] = ()  # the fields a BadRequest detail names

    @classmethod
    def read(cls, response: httpx.Response) -> _FcmError:
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            return cls(message=response.text)
        if not isinstance(error, dict):
            return cls(message=response.text)
        details = [detail for detail in error.get("details") or [] if isinstance(detail, dict)]
        codes = [str(detail.get("errorCode", "")) for detail in details if detail.get("@type") == FCM_ERROR_TYPE]
        violations = [
            str(violation.get("field", ""))
            for detail in details
            if detail.get("@type") == BAD_REQUEST_TYPE
            for violation in detail.get("fieldViolations") or []
            if isinstance(violation, dict)
        ]
        return cls(
            str(error.get("status", "")), str(error.get("message", "")), next(iter(codes), ""), tuple(violations)
        )

    def about_the_token(self) -> bool:
        """INVALID_ARGUMENT because of the registration token, not the message."""
        return self.error_code == "INVALID_ARGUMENT" and (
            "message.token" in self.fields or "registration token" in self.message.lower()
        )


class FcmProvider:
    """The "push" channel: one notice to one FCM registration token."""

    channel = "push"

    def __init__(self, config: FcmConfig) -> None:
        self._config = config
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(config.timeout_seconds))

    async def send(self, notice: Notice) -> str:
        account = await self._account()
        token = await self._access_token(account)
        project = self._config.project_id or str(account.credentials.project_id)
        url = f"{self._config.base_url}/v1/projects/{project}/messages:send"
        content = fit_body(lambda body: _encode(self._message(notice, body)), notice.body, MESSAGE_BUDGET, "FCM")
        try:
            response = await self._client.post(
                url, content=content, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            )
        except httpx.HTTPError as error:
            raise unreachable("FCM", error) from None
        if response.status_code == 200:
            return _message_name(response)
        if response.status_code == 401:
            account.forget(token)
        raise _failure(response)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _account(self) -> _Account:
        try:
            return await asyncio.to_thread(_account, self._config)
        except (OSError, ValueError, google_errors.GoogleAuthError) as error:
            # The key file was checked at start-up; it changed since.
            raise RetryLater(f"FCM: cannot load {self._config.credentials_file} ({type(error).__name__})") from None

    async def _access_token(self, account: _Account) -> str:
        timeout = self._config.timeout_seconds
        try:
            return await asyncio.wait_for(asyncio.to_thread(account.access_token, timeout), timeout)
        except TimeoutError:
            raise RetryLater("FCM: the OAuth token server timed out") from None
        except google_errors.RefreshError as error:
            said = str(error.args[0]) if error.args else ""  # args[1] is the whole reply
            raise RetryLater(f"FCM: the OAuth token server refused the service account: {reason(said)}") from None
        except (google_errors.GoogleAuthError, requests.RequestException, OSError) as error:
            # A TransportError wraps requests' exception: its name only, not its text.
            cause = type(error.__cause__ or error).__name__
            raise RetryLater(f"FCM: the OAuth token server is unreachable ({cause})") from None

    def _message(self, notice: Notice, body: str) -> dict[str, Any]:
        ttl = self._config.ttl_seconds
        tag = notice_tag(notice.key)
        # apns-expiration 0: "deliver now or never", the same as an android ttl of 0s.
        expiration = str(int(time.time()) + ttl) if ttl else "0"
        return {
            "message": {
                "token": notice.recipient,
                "notification": {"title": notice.title, "body": body},
                "data": {**notice.data, "event": notice.event, "notice_id": tag},
                "android": {"priority": "high", "ttl": f"{ttl}s", "notification": {"tag": tag}},
                "apns": {
                    "headers": {"apns-expiration": expiration, "apns-priority": "10", "apns-collapse-id": tag},
                    "payload": {"aps": {"sound": "default"}},
                },
            }
        }


def _encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def _message_name(response: httpx.Response) -> str:
    """FCM's id of the message ("projects/p/messages/0:123"); it was accepted even if the reply is odd."""
    try:
        return str(response.json().get("name", ""))
    except (ValueError, AttributeError):
        return ""


def _failure(response: httpx.Response) -> DeliveryError:
    status = response.status_code
    error = _FcmError.read(response)
    line = f"FCM {status} {error.error_code or error.status or response.reason_phrase}: {reason(error.message)}"
    if error.error_code in GONE_CODES or error.about_the_token():
        return RecipientGone(line)
    wait = retry_after(response)
    if status == 429:
        return RetryLater(line, QUOTA_WAIT_SECONDS if wait is None else wait)
    if status == 401 or status >= 500:
        return RetryLater(line, wait)
    return Rejected(line)
