"""Tortoise's asyncpg engine, with a bounded wait for a pooled connection.

Tortoise acquires from the asyncpg pool without a timeout (its pool wrapper and
its pooled transactions both call `pool.acquire()` bare): with the database
frozen every request would queue behind the hung connections for as long as
the freeze lasts. Here `acquire()` defaults to the configured timeout, and so
does `release()` (asyncpg applies the acquire timeout to it), which otherwise
waits for a cancelled statement's cancellation on a server that cannot answer.
Named as the `engine` in pakn/db/__init__.py's connection config.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient


class BoundedPool:
    """An asyncpg pool whose `acquire()` gives up after `timeout` seconds."""

    def __init__(self, pool: asyncpg.Pool, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout

    def acquire(self, *, timeout: float | None = None) -> Any:
        return self._pool.acquire(timeout=self._timeout if timeout is None else timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


class BoundedAsyncpgClient(AsyncpgDBClient):
    async def create_pool(self, **kwargs: Any) -> Any:
        timeout = kwargs.pop("acquire_timeout", None)
        pool = await super().create_pool(**kwargs)
        return BoundedPool(pool, float(timeout)) if timeout else pool


client_class = BoundedAsyncpgClient
