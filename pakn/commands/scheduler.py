"""`pakn scheduler` (the jobs in their own process) and `pakn jobs list|run`.

`pakn jobs run NAME --now 2026-12-07T07:30:00+07:00` runs one job once as of
that instant (without an offset: local time), for operators and tests; running
it again changes nothing that already happened. Exit status: 0 done, 1 the job
failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime

from pakn import db
from pakn.commands.console import RAW, database_ready, load_settings, log_start
from pakn.core.observability import configure_logging
from pakn.core.tables import text_table
from pakn.scheduler.jobs import BY_NAME, JOBS, Job
from pakn.scheduler.runner import prepare, run_job, serve_jobs
from pakn.settings import Settings

SCHEDULER_HELP = """Chạy các tác vụ định kỳ và việc đánh giá phản ánh mới trong một tiến trình riêng.
Run the scheduled jobs (`pakn jobs list`) and the triage assessment of new reports
in a process of their own, until SIGTERM or SIGINT; then set
PAKN_SCHEDULER_ENABLED=false on the `pakn serve` replicas."""


def add_scheduler_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scheduler = commands.add_parser(
        "scheduler",
        help="chạy các tác vụ định kỳ / run the scheduled jobs",
        description=SCHEDULER_HELP,
        formatter_class=RAW,
    )
    scheduler.set_defaults(handler=cmd_scheduler)
    jobs = commands.add_parser("jobs", help="tác vụ định kỳ / scheduled jobs")
    actions = jobs.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="liệt kê, lần chạy tới / list with next run")
    listing.set_defaults(handler=cmd_list)
    run = actions.add_parser("run", help="chạy một tác vụ một lần / run one job once")
    run.add_argument("name", choices=list(BY_NAME))
    run.add_argument("--now", help="thời điểm ISO 8601 / as of this instant (default: the clock)")
    run.set_defaults(handler=cmd_run)


def cmd_scheduler(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings.log_level)
    database_ready(settings)
    log_start(settings, "scheduler")
    asyncio.run(serve_jobs(settings))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    settings = load_settings()
    print(format_jobs(JOBS, settings, datetime.now(settings.tz)))
    return 0


def format_jobs(jobs: tuple[Job, ...], settings: Settings, now: datetime) -> str:
    rows = [("TÁC VỤ/JOB", "LỊCH/TRIGGER", "LẦN TỚI/NEXT RUN", "")]
    for job in jobs:
        trigger = job.trigger(settings)
        following = trigger.get_next_fire_time(None, now)
        rows.append((job.name, str(trigger), following.isoformat() if following else "-", job.description))
    return "\n".join(text_table(rows))


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        now = parse_now(args.now, settings)
    except ValueError:
        print(
            "pakn: --now phải là thời điểm ISO 8601, vd. 2026-12-07T07:30:00+07:00 / --now must be an ISO 8601 instant",
            file=sys.stderr,
        )
        return 2
    database_ready(settings)
    try:
        result = asyncio.run(_run(BY_NAME[args.name], now, settings))
    except Exception as exc:
        print(f"pakn: tác vụ {args.name} lỗi / job failed: {exc}", file=sys.stderr)
        return 1
    print(f"pakn: {args.name} @ {now.isoformat()}: {result}")
    return 0


def parse_now(text: str | None, settings: Settings) -> datetime:
    if not text:
        return datetime.now(settings.tz)
    instant = datetime.fromisoformat(text)
    return instant if instant.tzinfo else instant.replace(tzinfo=settings.tz)


async def _run(job: Job, now: datetime, settings: Settings) -> object:
    prepare(settings)
    await db.open_database(settings)
    try:
        return await run_job(job, now)
    finally:
        await db.close_database()
