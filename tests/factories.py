"""Test data: request bodies, images, and shortcuts for states the API reaches later."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from typing import Any

from PIL import Image

from pakn.domain.status import Status
from pakn.models import Feedback, FeedbackEvent

GPS_IFD = 0x8825


def feedback_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Đường bị ngập nước",
        # No danger words: a report that intake marks urgent sorts and times differently.
        "content": "Đoạn đường Trần Hưng Đạo bị ngập nước sau mưa, xe máy không đi được.",
        "category": "giao-thong",
        "location": {"lat": 21.0245, "lon": 105.8412, "address": "Trần Hưng Đạo, Hà Nội"},
        "contact": {"name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.vn"},
    }
    body.update(overrides)
    return body


def new_key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 1  # orientation: kept
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (21.0, 1.0, 30.0)
    gps[3] = "E"
    gps[4] = (105.0, 51.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 10)).save(buffer, "PNG")
    return buffer.getvalue()


async def publish_answer(
    feedback_id: int, answer: str = "Đã cử lực lượng xử lý, đường đã thông.", at: datetime | None = None
) -> None:
    """Moves a report to `resolved` with an answer, as the staff workflow will."""
    at = at or datetime.now(UTC)
    feedback = await Feedback.get(id=feedback_id)
    await FeedbackEvent.create(
        feedback=feedback,
        action="approve",
        from_status=feedback.status,
        to_status=Status.RESOLVED,
        is_public=True,
        actor="staff-test",
        created_at=at,
    )
    feedback.status = Status.RESOLVED
    feedback.answer = answer
    feedback.answered_at = at
    feedback.resolved_at = at
    await feedback.save()
