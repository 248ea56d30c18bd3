"""Queueing e-mail: the unique key decides, inside or outside a transaction."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from tortoise.transactions import in_transaction

from pakn.mail.outbox import enqueue
from pakn.models import OutboxMessage

pytestmark = pytest.mark.usefixtures("clean_db")

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def message(key: str = "test:1") -> dict:
    return {
        "dedupe_key": key,
        "kind": "test",
        "recipients": ["a@example.vn"],
        "subject": "Thử nghiệm",
        "text": "Xin chào",
        "html": None,
        "now": NOW,
    }


async def test_a_message_is_queued_once_however_often_it_is_enqueued() -> None:
    assert await enqueue(**message()) is True
    assert await enqueue(**message()) is False
    row = await OutboxMessage.get(dedupe_key="test:1")
    assert (row.status, row.attempts, row.recipients) == ("queued", 0, ["a@example.vn"])


async def test_a_duplicate_inside_a_transaction_leaves_the_transaction_usable() -> None:
    async with in_transaction() as connection:
        assert await enqueue(**message(), connection=connection) is True
        assert await enqueue(**message(), connection=connection) is False
        assert await enqueue(**message("test:2"), connection=connection) is True
    assert await OutboxMessage.all().count() == 2


async def test_a_rolled_back_transaction_queues_nothing() -> None:
    with pytest.raises(RuntimeError):
        async with in_transaction() as connection:
            await enqueue(**message(), connection=connection)
            raise RuntimeError("the change failed")
    assert await OutboxMessage.all().count() == 0


async def test_many_concurrent_enqueues_of_one_key_insert_one_row() -> None:
    results = await asyncio.gather(*(enqueue(**message()) for _ in range(8)))
    assert results.count(True) == 1
    assert await OutboxMessage.all().count() == 1


async def test_a_message_without_recipients_is_not_queued() -> None:
    assert await enqueue(**{**message(), "recipients": []}) is False
    assert await OutboxMessage.all().count() == 0
