"""Which errors are the database being unavailable (503, retry) and which are
faults of the service (500): pakn/core/outage.py."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest
from tortoise.exceptions import DBConnectionError, IntegrityError, OperationalError

from pakn.core.outage import database_unavailable


def raised_from(outer: Exception, inner: Exception) -> Exception:
    """`outer` as Tortoise raises it: inside an `except` for `inner`."""
    try:
        try:
            raise inner
        except Exception:
            raise outer  # noqa: B904 - Tortoise's own wrapping, with __context__ only
    except Exception as exc:
        return exc


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError(),
        OSError("Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432), [Errno 111] ..."),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.InterfaceError("cannot perform operation: connection is closed"),
        DBConnectionError("Can't establish connection to database pakn"),
        raised_from(OperationalError("database is locked"), sqlite3.OperationalError("database is locked")),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_database_that_cannot_answer_is_unavailable(error: Exception) -> None:
    assert database_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        FileNotFoundError(2, "No such file or directory"),
        raised_from(OperationalError('syntax error at or near "SELEC"'), asyncpg.PostgresSyntaxError("syntax")),
        raised_from(OperationalError("no such table: feedback"), sqlite3.OperationalError("no such table: feedback")),
        IntegrityError("duplicate key value violates unique constraint"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    ],
    ids=lambda error: f"{type(error).__name__}: {error}"[:40],
)
def test_a_fault_of_the_service_is_not_unavailability(error: Exception) -> None:
    assert not database_unavailable(error)
