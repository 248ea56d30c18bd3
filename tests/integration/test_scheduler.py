"""The scheduler: its jobs and their options, and a job that queries the
database running inside the app's own process (its lifespan)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from pakn.app import create_app
from pakn.models import DeadlineNotice, WorkDay
from pakn.scheduler.runner import CATCH_UP_DELAY, JobScheduler
from pakn.settings import Settings
from tests.integration.deadline_helpers import at, received

pytestmark = pytest.mark.usefixtures("clean_db")


def enabled(settings: Settings) -> Settings:
    return settings.model_copy(update={"scheduler_enabled": True})


async def test_the_jobs_run_once_at_a_time_and_coalesce_missed_runs(settings: Settings) -> None:
    scheduler = JobScheduler(enabled(settings))
    started = datetime.now(settings.tz)
    scheduler.start()
    try:
        jobs = {job.id: job for job in scheduler.scheduler.get_jobs()}
        assert {"deadline-sweep", "auto-close", "weekly-digest", "outbox-flush"} <= set(jobs)
        for job in jobs.values():
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 3600)
        assert str(jobs["weekly-digest"].trigger) == "cron[day_of_week='mon', hour='7', minute='30']"
        assert str(jobs["deadline-sweep"].trigger) == "interval[0:05:00]"
        # Daily and weekly jobs also run soon after start-up: a run missed while down happens once.
        for name in ("auto-close", "weekly-digest"):
            assert jobs[name].next_run_time - started <= CATCH_UP_DELAY + timedelta(seconds=5)
    finally:
        await scheduler.stop()
    assert not scheduler.scheduler.running


async def test_the_tests_app_runs_no_scheduler(app: Starlette) -> None:
    assert app.state.scheduler is None


async def test_a_scheduled_job_queries_the_database_inside_the_apps_process(settings: Settings) -> None:
    overdue = await received(at("2026-03-02", "09:00"), settings.media_dir)  # due for assignment 3/3 17:00
    application = create_app(enabled(settings), manage_database=False)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=60):
        scheduler = application.state.scheduler
        assert isinstance(scheduler, JobScheduler) and scheduler.scheduler.running
        scheduler.run_soon("deadline-sweep")
        for _ in range(200):
            if await DeadlineNotice.filter(feedback_id=overdue.id).exists():
                break
            await asyncio.sleep(0.05)
    notice = await DeadlineNotice.get(feedback_id=overdue.id)
    assert notice.threshold == "overdue"
    assert not scheduler.scheduler.running  # stopped with the app


async def test_the_working_calendar_table_is_written_at_start_up(app: Starlette) -> None:
    assert await WorkDay.filter(day__gte="2020-01-01", day__lte="2035-12-31").count() == 5844
    tet = await WorkDay.get(day="2026-02-17")
    swapped = await WorkDay.get(day="2026-08-22")
    assert (tet.is_working, tet.name, swapped.is_working) == (False, "Tết Nguyên Đán", True)
    before, after = await WorkDay.get(day="2026-02-13"), await WorkDay.get(day="2026-03-06")
    assert after.ordinal - before.ordinal == 10
