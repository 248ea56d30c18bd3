"""The scheduled jobs. Each is thin: it calls one service as of `now`, and its
effects happen once however often it runs (unique keys in the database), so
`pakn jobs run` and a second scheduler started by mistake are harmless.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from pakn.accounts import forget_quiet_rows
from pakn.attachments import LocalStorage, sweep_orphans
from pakn.core import context
from pakn.deadlines import sweep_deadlines
from pakn.intelligence import current_engine, drain, train
from pakn.mail import flush_every_channel
from pakn.settings import Settings
from pakn.submission import expire_idempotency_records
from pakn.weekly import send_weekly_digests
from pakn.workflow import auto_close


async def triage_retrain(now: datetime) -> object:
    """Both models retrained; each kind's figures on the held-out decisions,
    and whether a new model was stored (a worse one is not)."""
    retrained = await train(current_engine(), now)
    return {"trained": any(item.stored for item in retrained), **{item.kind: item.figures for item in retrained}}


async def triage_assess(now: datetime) -> object:
    # A safety net and an operator's handle: the worker loop (runner.assessing)
    # normally assesses each report within a second.
    return await drain(now, current_engine().config)


async def idempotency_expiry(now: datetime) -> object:
    retention = context.settings().retention
    return await expire_idempotency_records(
        now, retention=timedelta(days=retention.idempotency_days), batch_size=retention.delete_batch_size
    )


async def orphan_files(now: datetime) -> object:
    settings = context.settings()
    retention = settings.retention
    return await sweep_orphans(
        LocalStorage(settings.media_dir),
        now,
        grace=timedelta(minutes=retention.orphan_file_minutes),
        batch_size=retention.delete_batch_size,
    )


async def sign_in_throttle_expiry(now: datetime) -> object:
    return {"deleted": await forget_quiet_rows(now, context.settings().auth)}


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    run: Callable[[datetime], Awaitable[object]]
    trigger: Callable[[Settings], BaseTrigger]
    # Also run once soon after start-up: a daily or weekly run missed while the
    # service was down then happens once when it is back.
    catch_up: bool = False


def _every_minutes(settings: Settings) -> BaseTrigger:
    return IntervalTrigger(minutes=settings.scheduler.deadline_sweep_minutes, timezone=settings.tz)


def _every_seconds(settings: Settings) -> BaseTrigger:
    return IntervalTrigger(seconds=settings.scheduler.outbox_flush_seconds, timezone=settings.tz)


def _every_minute(settings: Settings) -> BaseTrigger:
    return IntervalTrigger(minutes=1, timezone=settings.tz)


def _daily(settings: Settings) -> BaseTrigger:
    at = settings.scheduler.auto_close_at
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=settings.tz)


def _nightly(settings: Settings) -> BaseTrigger:
    at = settings.triage.retrain_at
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=settings.tz)


def _housekeeping(settings: Settings) -> BaseTrigger:
    at = settings.retention.run_at
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=settings.tz)


def _hourly(settings: Settings) -> BaseTrigger:
    return IntervalTrigger(hours=1, timezone=settings.tz)


def _weekly(settings: Settings) -> BaseTrigger:
    at = settings.scheduler.weekly_digest_at
    day = settings.scheduler.weekly_digest_day
    return CronTrigger(day_of_week=day, hour=at.hour, minute=at.minute, timezone=settings.tz)


JOBS: tuple[Job, ...] = (
    Job("deadline-sweep", "Cảnh báo sắp đến hạn, quá hạn / deadline warnings", sweep_deadlines, _every_minutes),
    Job("auto-close", "Tự động đóng, từ chối hồ sơ thiếu / close and expire", auto_close, _daily, catch_up=True),
    Job("weekly-digest", "Báo cáo tuần / weekly status e-mails", send_weekly_digests, _weekly, catch_up=True),
    Job("outbox-flush", "Gửi thư, thông báo đang chờ / send queued mail, notices", flush_every_channel, _every_seconds),
    Job("triage-assess", "Đánh giá phản ánh mới còn chờ / assess waiting reports", triage_assess, _every_minute),
    Job(
        "triage-retrain",
        "Huấn luyện lại mô hình phân loại và khẩn / retrain the category and urgency models",
        triage_retrain,
        _nightly,
    ),
    Job("idempotency-expiry", "Xoá khoá gửi trùng cũ / expire idempotency keys", idempotency_expiry, _housekeeping),
    Job("orphan-files", "Xoá tệp không thuộc phản ánh nào / delete orphaned files", orphan_files, _housekeeping),
    Job(
        "sign-in-throttle-expiry",
        "Xoá bộ đếm đăng nhập sai đã cũ / forget old sign-in failures",
        sign_in_throttle_expiry,
        _hourly,
    ),
)
BY_NAME = {job.name: job for job in JOBS}
