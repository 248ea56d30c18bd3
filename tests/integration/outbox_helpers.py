"""For the citizen's notices and the outbox's channels: a fake provider (an
in-memory implementation of the pakn.notify port that records what it was
given and raises the documented exceptions on demand), registered devices,
and the province offering channels."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pakn.attachments.storage import LocalStorage
from pakn.core import context
from pakn.models import Device, Feedback, OutboxMessage
from pakn.notify import DeliveryError, Notice
from pakn.settings import NotifyConfig, Settings
from pakn.submission import service as submission
from pakn.submission.schemas import FeedbackCreate

CONTACT = {"name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.vn"}


@dataclass
class FakeProvider:
    """A channel's provider in memory: `failures` are raised, one per call,
    before it delivers; `before_send` runs at the start of each call."""

    channel: str
    failures: list[DeliveryError | Exception] = field(default_factory=list)
    calls: list[Notice] = field(default_factory=list)
    delivered: list[Notice] = field(default_factory=list)
    closed: bool = False
    pause: float = 0.0  # seconds inside send: lets concurrent flushers interleave
    before_send: Any = None

    async def send(self, notice: Notice) -> str:
        self.calls.append(notice)
        if self.before_send is not None:
            await self.before_send(notice)
        if self.pause:
            await asyncio.sleep(self.pause)
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(notice)
        return f"{self.channel}-id-{len(self.delivered)}"

    async def aclose(self) -> None:
        self.closed = True


async def make_device(
    platform: str = "android", token: str | None = "fcm-token-1", locale: str = "vi", now: datetime | None = None
) -> Device:
    moment = now or datetime.fromisoformat("2026-03-02T08:00:00+07:00")
    return await Device.create(
        public_id=f"dev_{secrets.token_hex(8)}",
        secret_hash=secrets.token_hex(32),
        platform=platform,
        push_token=token,
        locale=locale,
        created_at=moment,
        last_seen_at=moment,
    )


@contextmanager
def offering(settings: Settings, *channels: str) -> Iterator[Settings]:
    """The province offers `channels` besides e-mail while the block runs (the
    code outside requests reads the installed settings)."""
    changed = settings.model_copy(update={"notify": NotifyConfig.model_validate({"channels": list(channels)})})
    context.install(changed)
    try:
        yield changed
    finally:
        context.install(settings)


async def submitted(
    now: datetime,
    media: Path,
    notify: list[str] | None,
    device: Device | None = None,
    **fields: Any,
) -> Feedback:
    """A report stored by the submission service, as a device (or none) sends it."""
    data = FeedbackCreate.model_validate(
        {
            "title": fields.pop("title", "Đèn đường hỏng"),
            "content": fields.pop("content", "Đèn đường ở ngõ 12 hỏng đã một tuần, buổi tối rất tối."),
            "category": "giao-thong",
            "contact": fields.pop("contact", CONTACT),
            "notify": notify,
            **fields,
        }
    )
    outcome = await submission.submit(
        submission.Submission(data, device=device), storage=LocalStorage(media), server_key=b"k" * 32, now=now
    )
    return await Feedback.get(id=outcome.created.id)


async def rows(**filters: Any) -> list[OutboxMessage]:
    return await OutboxMessage.filter(**filters).order_by("id")


async def forget_devices() -> None:
    """Devices are not among the suite's written tables (tests/conftest.py)."""
    await Feedback.all().update(app_device_id=None)
    await Device.all().delete()
