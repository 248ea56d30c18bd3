"""Timestamps compare by instant whatever offset they were written with
(SQLite keeps them as text, so they are stored in UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from pakn.models import Feedback

HANOI = timezone(timedelta(hours=7))


async def make(tracking_code: str, at: datetime) -> Feedback:
    return await Feedback.create(
        tracking_code=tracking_code,
        access_token_hash="x" * 64,
        content="Nội dung kiểm tra thời gian.",
        created_at=at,
        updated_at=at,
    )


async def test_filters_and_order_follow_the_instant_not_the_text(clean_db: None) -> None:
    earlier = await make("PAKN-2026-AAAAAAA", datetime(2026, 11, 28, 2, 0, tzinfo=HANOI))  # 19:00 UTC on the 27th
    later = await make("PAKN-2026-BBBBBBB", datetime(2026, 11, 27, 20, 0, tzinfo=UTC))
    boundary = datetime(2026, 11, 28, 2, 30, tzinfo=HANOI)  # 19:30 UTC
    assert [row.id for row in await Feedback.filter(created_at__lt=boundary)] == [earlier.id]
    assert [row.id for row in await Feedback.all().order_by("created_at")] == [earlier.id, later.id]
    later.updated_at = datetime(2026, 11, 28, 9, 0, tzinfo=HANOI)  # 02:00 UTC on the 28th, written by save()
    await later.save()
    cutoff = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    assert await Feedback.filter(updated_at__gt=cutoff).count() == 1
