"""Rate limits on the public doors: submitting, supplementing, rating, Open311,
looking reports up by tracking code and registering a device.

The doors need no account, so what a client may send is counted per device
(a registered device's public id when the request carries its credential, else
the app's `device_id`, else an `X-Device-Id` header), per client address (IPv6
by its /64) and overall, each with its own limits (`[rate_limits]` in config/defaults.toml).
Per address is generous and per device strict: behind a carrier-grade NAT one
address carries thousands of honest phones, while a device id is whatever the
client says, good for stopping a runaway app, not an attacker. Lookups by code
also have a strict budget of 404s per address, so codes cannot be enumerated.

Counting is the `limits` library's, with an O(1) strategy (fixed window or
sliding-window counter: one counter update per limit, one Redis round trip; the
moving window, whose cost grows with the limit, is not offered). Counters live
in process memory, or in Redis when `PAKN_REDIS_URL` is set, so that every
replica sees the same counts. Every Redis call has a timeout, and when Redis
fails the limiter fails OPEN: requests pass unlimited, a warning is logged (at
most once a minute) and Redis is left alone for `redis_pause_seconds`. A
limiter must never turn an outage of its counters into an outage of the service.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv6Address

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, RateLimiter, SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from starlette.requests import Request
from starlette.responses import Response

from pakn.core.deps import client_address_of
from pakn.core.problems import Problem
from pakn.settings import DoorLimits, RateLimitConfig, Settings

log = logging.getLogger("pakn.ratelimit")

DEVICE_HEADER = "x-device-id"
DEVICE_ID_MAX = 200  # as Feedback.device_id
WARN_EVERY_SECONDS = 60.0
SWEEP_SECONDS = 1.0
# What a failing storage raises: limits wraps the Redis client's errors in
# StorageError; a socket error or timeout that slips past it is caught too.
STORAGE_ERRORS = (StorageError, OSError, TimeoutError)


# The O(1) strategies only (see RateLimitConfig.strategy).
STRATEGIES: dict[str, Callable[[Storage], RateLimiter]] = {
    "fixed-window": FixedWindowRateLimiter,
    "sliding-window-counter": SlidingWindowCounterRateLimiter,
}


class Door(StrEnum):
    SUBMIT = "submit"
    SUPPLEMENT = "supplement"
    RATING = "rating"
    OPEN311 = "open311"
    LOOKUP = "lookup"
    DEVICES = "devices"  # registering a device: per address and overall only


class Scope(StrEnum):
    DEVICE = "device"
    ADDRESS = "address"
    GLOBAL = "global"
    FAILED_LOOKUPS = "failed-lookups"


@dataclass(frozen=True)
class Rule:
    scope: Scope
    items: tuple[RateLimitItem, ...]


def door_rules(limits: DoorLimits) -> tuple[Rule, ...]:
    """Narrowest first: a flooding device is stopped before it spends the
    address's or everyone's budget."""
    texts = (
        (Scope.DEVICE, limits.per_device),
        (Scope.ADDRESS, limits.per_address),
        (Scope.GLOBAL, limits.overall),
    )
    return tuple(Rule(scope, tuple(parse_many(text))) for scope, text in texts if text)


class SweptMemoryStorage(MemoryStorage):
    """limits' memory storage starts a sweep over every key after each hit, so
    a hit costs O(keys): measured 0.8 ms with 10,000 live keys, 10 ms with
    100,000, on the request path. Reads check expiry themselves, so the sweep
    only frees memory: here it runs at most once per SWEEP_SECONDS."""

    _next_sweep = 0.0

    async def _MemoryStorage__schedule_expiry(self) -> None:  # the library's private hook
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            await super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]


class Counters:
    """The storage and what closes it."""

    def __init__(self, storage: Storage, close: Callable[[], Awaitable[None]] | None = None) -> None:
        self.storage = storage
        self._close = close

    async def close(self) -> None:
        if self._close is not None:
            await self._close()


def memory_counters() -> Counters:
    return Counters(SweptMemoryStorage())


def redis_counters(url: str, config: RateLimitConfig) -> Counters:
    """Counters in Redis: every connect and command bounded by the timeout, no retries
    (a retry would only lengthen the wait before failing open)."""
    from redis.asyncio import ConnectionPool
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    pool = ConnectionPool.from_url(
        url,
        socket_timeout=config.redis_timeout_seconds,
        socket_connect_timeout=config.redis_timeout_seconds,
        retry=Retry(NoBackoff(), 0),
    )
    storage = RedisStorage(
        "async+" + url,
        wrap_exceptions=True,
        implementation="redispy",
        key_prefix=config.key_prefix,
        connection_pool=pool,  # type: ignore[arg-type]
    )
    return Counters(storage, pool.aclose)


def counters_for(settings: Settings) -> Counters:
    if settings.redis_url:
        return redis_counters(settings.redis_url, settings.rate_limits)
    return memory_counters()


class Limiter:
    """Counts requests at the doors; `hit` raises a 429 Problem past any limit."""

    def __init__(self, config: RateLimitConfig, counters: Counters) -> None:
        self.counters = counters
        self.strategy: RateLimiter = STRATEGIES[config.strategy](counters.storage)
        self.pause_seconds = config.redis_pause_seconds
        enabled = config.enabled
        self.rules = {door: door_rules(getattr(config, door.value)) if enabled else () for door in Door}
        failed = config.failed_lookups_per_address if enabled else ""
        self.failed_lookups = tuple(parse_many(failed)) if failed else ()
        self._paused_until = 0.0
        self._next_warning = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limiter:
        return cls(settings.rate_limits, counters_for(settings))

    async def hit(self, door: Door, address: str, device: str | None = None) -> None:
        """Counts one request at `door`; 429 when it is past a limit (then the
        wider limits are not counted)."""
        for rule in self.rules[door]:
            value = address if rule.scope is Scope.ADDRESS else device if rule.scope is Scope.DEVICE else ""
            if value is None:
                continue  # no device id: the address and overall limits still apply
            for item in rule.items:
                if not await self._consume(item, door, rule.scope, value):
                    raise too_many_requests(await self._retry_after(item, door, rule.scope, value), rule.scope)

    async def check_failed_lookups(self, address: str) -> None:
        """429 when the address has used up its budget of failed lookups."""
        for item in self.failed_lookups:
            if not await self._test(item, Scope.FAILED_LOOKUPS, address):
                seconds = await self._retry_after(item, Scope.FAILED_LOOKUPS, address)
                raise too_many_requests(seconds, Scope.FAILED_LOOKUPS)

    async def count_failed_lookup(self, address: str) -> None:
        for item in self.failed_lookups:
            await self._consume(item, Scope.FAILED_LOOKUPS, address)

    async def close(self) -> None:
        await self.counters.close()

    async def _consume(self, item: RateLimitItem, *key: str) -> bool:
        return await self._fail_open(self.strategy.hit, item, *key)

    async def _test(self, item: RateLimitItem, *key: str) -> bool:
        return await self._fail_open(self.strategy.test, item, *key)

    async def _fail_open(self, ask: Callable[..., Awaitable[bool]], item: RateLimitItem, *key: str) -> bool:
        """The counters' answer; True (let it through) while they cannot be reached."""
        if self._paused_until and time.monotonic() < self._paused_until:
            return True
        try:
            return await ask(item, *key)
        except STORAGE_ERRORS as exc:
            self._storage_failed(exc)
            return True

    async def _retry_after(self, item: RateLimitItem, *key: str) -> int:
        """Whole seconds until the window lets one more through, at least 1."""
        window = item.get_expiry()
        try:
            stats = await self.strategy.get_window_stats(item, *key)
            seconds = min(stats.reset_time - time.time(), window)
        except STORAGE_ERRORS as exc:
            self._storage_failed(exc)
            seconds = window
        return max(1, math.ceil(seconds))

    def _storage_failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self._paused_until = now + self.pause_seconds
        if now >= self._next_warning:
            self._next_warning = now + WARN_EVERY_SECONDS
            cause = exc.storage_error if isinstance(exc, StorageError) else exc
            log.warning(
                "rate-limit counters unreachable, requests pass unlimited for %.0f s: %s: %s",
                self.pause_seconds,
                type(cause).__name__,
                cause,
            )


def _wait_text(seconds: int) -> tuple[str, str]:
    if seconds < 120:
        return f"{seconds} giây", f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"khoảng {minutes} phút", f"about {minutes} minutes"


REASONS = {
    Scope.DEVICE: ("Thiết bị này đã gửi quá nhiều yêu cầu.", "This device has sent too many requests."),
    Scope.ADDRESS: ("Địa chỉ mạng này đã gửi quá nhiều yêu cầu.", "Too many requests from this network address."),
    Scope.GLOBAL: ("Hệ thống đang nhận quá nhiều yêu cầu.", "The service is receiving too many requests."),
    Scope.FAILED_LOOKUPS: (
        "Tra cứu sai mã phản ánh quá nhiều lần từ địa chỉ mạng này.",
        "Too many lookups of unknown tracking codes from this network address.",
    ),
}


def too_many_requests(seconds: int, scope: Scope) -> Problem:
    wait_vi, wait_en = _wait_text(seconds)
    reason_vi, reason_en = REASONS[scope]
    return Problem(
        429,
        "too-many-requests",
        "Quá nhiều yêu cầu",
        "Too many requests",
        f"{reason_vi} Vui lòng thử lại sau {wait_vi}.",
        f"{reason_en} Please try again in {wait_en}.",
        headers={"Retry-After": str(seconds)},
        extra={"retry_after": seconds, "scope": scope.value},
    )


@functools.lru_cache(maxsize=65536)  # clients come back; parsing IPv6 costs ~8 µs
def address_key(address: str) -> str:
    """What an address is counted as: IPv6 by its /64, since one subscriber (a phone,
    a home line) is given a whole /64 and may use any address in it."""
    if ":" not in address:
        return address  # IPv4, or "unknown"
    try:
        parsed = IPv6Address(address)
    except ValueError:
        return address
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return f"{IPv6Address(int(parsed) >> 64 << 64)}/64"


def client_key(request: Request) -> str:
    return address_key(client_address_of(request))


def device_header(request: Request) -> str | None:
    value = request.headers.get(DEVICE_HEADER, "").strip()
    return value[:DEVICE_ID_MAX] or None


async def rate_limit(request: Request, door: Door, device_id: str | None = None) -> None:
    """Counts this request at `door`; raises the 429 Problem past a limit."""
    device = device_id[:DEVICE_ID_MAX] if device_id else device_header(request)
    await rate_limiter_of(request).hit(door, client_key(request), device)


Endpoint = Callable[[Request], Awaitable[Response]]


def code_door(door: Door) -> Callable[[Endpoint], Endpoint]:
    """For a route that takes a tracking code: the door's limits, and the
    address's budget of 404s (unknown code or wrong token), checked before and
    spent after, so that guessing codes is slow from any one address."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def limited(request: Request) -> Response:
            limiter = rate_limiter_of(request)
            address = client_key(request)
            await limiter.check_failed_lookups(address)
            await limiter.hit(door, address, device_header(request))
            try:
                return await endpoint(request)
            except Problem as problem:
                if problem.status == 404:
                    await limiter.count_failed_lookup(address)
                raise

        return limited

    return decorate


def rate_limiter_of(request: Request) -> Limiter:
    """The limiter the running app was built with."""
    limiter: Limiter = request.app.state.rate_limiter
    return limiter
