"""Running the jobs: APScheduler 3.11's AsyncIOScheduler on the service's own
event loop, inside `pakn serve` (unless PAKN_SCHEDULER_ENABLED=false) or in
`pakn scheduler`, its own process.

Jobs live in a MemoryJobStore: never shared between processes, rebuilt from
jobs.py at each start. A second scheduler started by mistake does no harm (the
jobs' effects are exactly-once in the database), it only does the work twice.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from pakn.core import context
from pakn.db import close_database, open_database
from pakn.deadlines import sync_work_days
from pakn.deadlines.service import current_policy
from pakn.intelligence import Worker, current_engine
from pakn.scheduler.jobs import JOBS, Job
from pakn.settings import Settings

log = logging.getLogger("pakn.scheduler")
# Catch-up runs wait a little after start-up, for the service to settle.
CATCH_UP_DELAY = timedelta(seconds=30)
# On stop, a running job gets this long to finish its transaction.
STOP_TIMEOUT = 30.0


def prepare(settings: Settings) -> None:
    """What a process that runs jobs needs before the first one: its settings,
    from which the deadline policy, the mail sender and the triage engine read
    (the policy and the engine built now: a bad calendar or rules file stops here)."""
    context.install(settings)
    current_policy()
    current_engine()


async def sync_calendar(settings: Settings) -> bool:
    """Write the work_day table when it differs from the calendar (start-up)."""
    table = settings.calendar
    return await sync_work_days(current_policy().calendar, table.table_first_year, table.table_last_year)


async def run_job(job: Job, now: datetime) -> object:
    """Run one job as of `now`, with one log line for its outcome."""
    started = time.monotonic()
    try:
        result = await job.run(now)
    except Exception:
        log.exception("job failed", extra={"fields": {"job": job.name, "as_of": now.isoformat()}})
        raise
    seconds = round(time.monotonic() - started, 3)
    fields = {"job": job.name, "as_of": now.isoformat(), "result": str(result), "seconds": seconds}
    log.info("job done", extra={"fields": fields})
    return result


class JobScheduler:
    def __init__(self, settings: Settings, jobs: tuple[Job, ...] = JOBS) -> None:
        self.settings = settings
        self.jobs = jobs
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": MemoryJobStore()},
            job_defaults={
                "coalesce": True,  # runs missed while busy or down: one run, not a burst
                "max_instances": 1,
                "misfire_grace_time": settings.scheduler.misfire_grace_minutes * 60,
            },
            timezone=settings.tz,
        )
        self._running: set[asyncio.Task[Any]] = set()

    def start(self) -> None:
        catch_up = datetime.now(self.settings.tz) + CATCH_UP_DELAY
        for job in self.jobs:
            first = {"next_run_time": catch_up} if job.catch_up else {}
            self.scheduler.add_job(
                self._run, job.trigger(self.settings), args=[job], id=job.name, name=job.name, **first
            )
        self.scheduler.start()

    def run_soon(self, name: str) -> None:
        """Run job `name` now, in the scheduler (operators, tests)."""
        self.scheduler.modify_job(name, next_run_time=datetime.now(self.settings.tz))
        self.scheduler.wakeup()

    async def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """No new runs; let running ones finish (up to `timeout`), then shut down."""
        self.scheduler.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=timeout)
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # the shutdown itself is called soon on the loop

    async def _run(self, job: Job) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            await run_job(job, datetime.now(self.settings.tz))
        except Exception:
            pass  # logged by run_job; the next run tries again
        finally:
            self._running.discard(task)


@asynccontextmanager
async def running_jobs(settings: Settings) -> AsyncIterator[JobScheduler | None]:
    """The scheduler for the app's lifespan, or None when it is turned off."""
    if not settings.scheduler_enabled:
        yield None
        return
    async with assessing(settings):
        scheduler = JobScheduler(settings)
        scheduler.start()
        log.info("scheduler started", extra={"fields": {"jobs": [job.name for job in scheduler.jobs]}})
        try:
            yield scheduler
        finally:
            await scheduler.stop()


@asynccontextmanager
async def assessing(settings: Settings) -> AsyncIterator[None]:
    """The deferred triage assessment, running beside the jobs: a loop rather
    than a job, because a new report should be assessed within a second."""
    worker = Worker(settings)
    worker.start()
    try:
        yield
    finally:
        await worker.stop()


async def serve_jobs(settings: Settings) -> None:
    """`pakn scheduler`: run the jobs until SIGTERM or SIGINT."""
    prepare(settings)
    await open_database(settings)
    try:
        await sync_calendar(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with assessing(settings):
            scheduler = JobScheduler(settings)
            scheduler.start()
            log.info("scheduler started", extra={"fields": {"jobs": [job.name for job in scheduler.jobs]}})
            await stop.wait()
            await scheduler.stop()
    finally:
        await close_database()
