"""Which errors mean the database is down, frozen or busy (a 503 the client
may retry), rather than a fault of the service (a 500)."""

from __future__ import annotations

import errno
import socket
import sqlite3

import asyncpg
from tortoise.exceptions import DBConnectionError

# Raised by asyncpg, the event loop or Tortoise when PostgreSQL cannot be
# reached or stops answering: refused, reset, timed out (connect, command or
# pool acquire), shut down or restarting, out of connections or disk.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    DBConnectionError,
)
_NETWORK_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT}
# SQLite: another process holds the write lock past busy_timeout, or the file is gone.
_SQLITE_MESSAGES = ("database is locked", "database table is locked", "unable to open database file")


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc`, or an error it was raised from, is the database being unavailable."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_unavailable(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, _UNAVAILABLE):
        return True
    if isinstance(exc, sqlite3.OperationalError) or type(exc).__name__ == "OperationalError":
        return any(message in str(exc) for message in _SQLITE_MESSAGES)
    if isinstance(exc, asyncpg.InterfaceError):
        return "closed" in str(exc)  # "connection is closed", "pool is closing"
    # asyncpg reports failing to reach every address of a host as one OSError without errno.
    return isinstance(exc, OSError) and (exc.errno in _NETWORK_ERRNOS or str(exc).startswith("Multiple exceptions"))
