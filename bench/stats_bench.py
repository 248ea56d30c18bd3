"""Statistics benchmark: the stats service on 1,000,000 reports in PostgreSQL,
beside the equivalent hand-written SQL, in the same run.

    .venv/bin/python bench/stats_bench.py              # about 7 minutes on a busy 2-core VM
    .venv/bin/python bench/stats_bench.py --skip-load  # reuse the last run's database
    .venv/bin/python bench/stats_bench.py --rows 200000 --runs 5

1. drops and creates `pakn_bench_stats` on 127.0.0.1:5432 (user postgres),
   applies the committed migrations, then loads agencies, categories, a
   Monday-to-Friday work_day calendar, the reports (spread over 2023–2025, in
   created_at order as they arrive) and ratings with COPY (asyncpg
   copy_records_to_table), the table's indexes dropped during the load and
   rebuilt after it, then VACUUM ANALYZE;
2. times each case three ways, interleaved in a rotating order after a warm-up:
   `service`  pakn.stats.service.summary / breakdown (Tortoise, the app's path);
   `obvious`  one hand-written query as most would write it (FILTER clauses,
              the named time zone, percentile_cont), on a plain asyncpg connection;
   `tuned`    one hand-written query doing what the service's SQL does;
   and checks that all three give the same figures;
3. repeats each case for CPU time, parallel workers off: the PostgreSQL
   backend's CPU plus this process's, per call (service and tuned). On a
   shared machine the wall time includes waiting for a core; the CPU time is
   what a call costs, i.e. its wall time alone on one core;
4. prints the medians and ratios (service / the faster hand-written query),
   PASS/FAIL against the targets (wall ratio <= 1.5 and service wall < 500 ms),
   the load average, and writes JSON to bench/results/.

The last case repeats the one-agency summary after creating the index it
wants, (agency_id, created_at), to show what that index is worth.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from stats_bench_sql import OBVIOUS, OBVIOUS_RANK, RANK, TUNED  # beside this file
from tortoise import connections

from pakn import db
from pakn.settings import Settings
from pakn.stats import service
from pakn.stats.service import StatsFilter

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "pakn_bench_stats"
RESULTS = Path(__file__).resolve().parent / "results"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST, DAYS = datetime(2023, 1, 1, tzinfo=TZ), 3 * 365
AS_OF = datetime(2026, 1, 15, 10, 0, tzinfo=TZ)
YEAR = (date(2024, 1, 1), date(2025, 1, 1))
AGENCIES = [f"so-bench-{n:02d}" for n in range(1, 31)]
CATEGORIES = [f"linh-vuc-{n:02d}" for n in range(1, 13)]
CHANNELS = ["mobile"] * 12 + ["web"] * 5 + ["hotline"] * 2 + ["email"]
HANDLED = ["resolved", "closed", "closed", "closed", "rejected", "duplicate"]
OPEN = ["received", "assigned", "in_progress", "in_progress", "info_requested"]
TARGET_RATIO, TARGET_MS = 1.5, 500.0


def reports(count: int, rng: random.Random) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Report rows for COPY, and ratings for about a quarter of the handled ones."""
    rows, ratings = [], []
    # Sorted: reports arrive over time, so a real table is (nearly) in created_at order.
    offsets = sorted(rng.randrange(DAYS * 86400) for _ in range(count))
    for n, offset in enumerate(offsets, start=1):
        created = FIRST + timedelta(seconds=offset)
        deadline = created + timedelta(days=10)
        handled = None
        if rng.random() < 0.9:
            handled = created + timedelta(seconds=rng.randrange(15 * 86400))
            status = rng.choice(HANDLED)
            if rng.random() < 0.25:
                ratings.append((n, rng.choice((1, 2, 3, 4, 4, 5, 5, 5)), "", handled + timedelta(days=1)))
        else:
            status = rng.choice(OPEN)
        rows.append(
            (n, f"PAKN-B{n:010d}", "0" * 64, "", "Phản ánh", status, "normal", rng.choice(CHANNELS), "",
             True, True, 1, created, created, rng.choice(AGENCIES), rng.choice(CATEGORIES), "", False, "",
             deadline, handled)
        )  # fmt: skip
    return rows, ratings


COLUMNS = (
    "id", "tracking_code", "access_token_hash", "title", "content", "status", "priority", "channel", "address",
    "is_anonymous", "is_public", "version", "created_at", "updated_at", "agency_id", "category_id",
    "search_text", "urgent", "search_compact", "deadline", "handled_at",
)  # fmt: skip


async def load(count: int) -> None:
    server = await asyncpg.connect(f"{SERVER}/postgres")
    await server.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    await server.execute(f"CREATE DATABASE {DATABASE}")
    await server.close()
    settings = Settings(database_url=f"{SERVER}/{DATABASE}", config=None)
    await db.migrate(settings)
    await db.close_database()
    conn = await asyncpg.connect(f"{SERVER}/{DATABASE}")
    try:
        now = datetime.now(UTC)
        await conn.copy_records_to_table(
            "agency",
            records=[(code, f"Sở thử {code[-2:]}", "[]", True, now, now) for code in AGENCIES],
            columns=("code", "name", "emails", "is_active", "created_at", "updated_at"),
        )
        await conn.copy_records_to_table(
            "category",
            records=[(code, code, code, "", "", 0, True) for code in CATEGORIES],
            columns=("code", "name_vi", "name_en", "description_vi", "description_en", "position", "is_active"),
        )
        await conn.copy_records_to_table("work_day", records=calendar(date(2022, 1, 1), date(2027, 12, 31)))
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'feedback' AND indexname LIKE 'idx_%'"
        )
        for index in indexes:  # rebuilt once after the load: far faster than kept up row by row
            await conn.execute(f"DROP INDEX {index['indexname']}")
        rows, ratings = reports(count, random.Random(20231001))
        await conn.copy_records_to_table("feedback", records=rows, columns=COLUMNS)
        await conn.copy_records_to_table(
            "rating", records=ratings, columns=("feedback_id", "score", "comment", "created_at")
        )
        for index in indexes:
            await conn.execute(index["indexdef"])
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def calendar(first: date, last: date) -> list[tuple[date, bool, int, str]]:
    days, ordinal = [], 0
    while first <= last:
        ordinal += first.weekday() < 5
        days.append((first, first.weekday() < 5, ordinal, ""))
        first += timedelta(days=1)
    return days


def bounds(period: tuple[date, date] | None) -> tuple[datetime, datetime]:
    start, end = period or (date(1900, 1, 1), date(9998, 1, 1))
    return (datetime.combine(start, datetime.min.time(), TZ), datetime.combine(end, datetime.min.time(), TZ))


COUNTED = ("received", "handled", "on_time", "late", "overdue", "in_progress", "waiting", "rejected",
           "duplicate", "ratings", "satisfied")  # fmt: skip


def same(ours: list[Any], rows: list[asyncpg.Record]) -> bool:
    """Every count equal, and the median and mean to the last digit that matters."""
    if [[getattr(x, name) for name in COUNTED] for x in ours] != [[r[name] for name in COUNTED] for r in rows]:
        return False
    return all(
        abs((x.median_handling_days or 0) - float(r["median"] or 0)) < 1e-9
        and abs((x.mean_handling_days or 0) - float(r["mean"] or 0)) < 1e-9
        for x, r in zip(ours, rows, strict=False)
    )


QUARTER = (date(2024, 4, 1), date(2024, 7, 1))
CASES: list[tuple[str, str | None, dict[str, Any]]] = [
    ("summary, one year", None, {}),
    ("summary, one year, channel mobile", None, {"channel": "mobile"}),
    ("breakdown by agency, one year", "agency", {}),
    ("summary, one quarter", None, {"period": QUARTER}),
    ("breakdown by agency, one quarter", "agency", {"period": QUARTER}),
    ("summary, all three years", None, {"period": None}),
    ("summary, one year, one agency", None, {"agency": AGENCIES[0]}),
    ("  same, (agency_id, created_at) index", None, {"agency": AGENCIES[0], "index": True}),
]
Calls = dict[str, Callable[[], Awaitable[Any]]]


def prepare(conn: asyncpg.Connection, by: str | None, filters: dict[str, Any]) -> Calls:
    filters = {key: value for key, value in filters.items() if key != "index"}
    period = filters.pop("period", YEAR)
    f = StatsFilter(*(period or (None, None)), as_of=AS_OF, **filters)
    extra, values = "", [*bounds(period), AS_OF]
    for column, value in filters.items():
        values.append(value)
        extra += f" AND f.{column if column == 'channel' else column + '_id'} = ${len(values)}"
    key = f"f.{by}_id" if by else "''"
    obvious = OBVIOUS.format(key=key, extra=extra, order=OBVIOUS_RANK if by else "1")
    tuned = TUNED.format(key=key, extra=extra, order=RANK if by else "1")
    return {
        "service": (lambda: service.breakdown(f, by, TZ)) if by else (lambda: service.summary(f, TZ)),
        "obvious": lambda: conn.fetch(obvious, *values),
        "tuned": lambda: conn.fetch(tuned, *values),
    }


async def wall(calls: Calls, runs: int) -> dict[str, Any]:
    """Median wall time per side, interleaved in a rotating order so that load
    from other work hits every side alike; and whether the figures agree."""
    answers = {side: await call() for side, call in calls.items()}  # warm-up, and the answers
    samples: dict[str, list[float]] = {side: [] for side in calls}
    for round_ in range(runs):
        for side in list(calls)[round_ % 3 :] + list(calls)[: round_ % 3]:
            started = time.perf_counter()
            await calls[side]()
            samples[side].append((time.perf_counter() - started) * 1000)
    ours = answers["service"] if isinstance(answers["service"], list) else [answers["service"]]
    return {
        "cohort": sum(x.received for x in ours), "groups": len(ours),
        "same_figures": same(ours, answers["tuned"]) and same(ours, answers["obvious"]),
        **{f"{side}_ms": round(statistics.median(values), 1) for side, values in samples.items()},
    }  # fmt: skip


def process_cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


async def cpu(calls: Calls, runs: int, backends: dict[str, int]) -> dict[str, float]:
    """CPU per call: the PostgreSQL backend's (no parallel workers, so all of it
    is in that one process) plus this process's. What a call costs, whatever
    else the machine is doing: its wall time alone on one core."""
    costs = {}
    for side in ("service", "tuned"):
        await calls[side]()
        backend, mine = process_cpu_ms(backends[side]), time.process_time()
        for _ in range(runs):
            await calls[side]()
        spent = process_cpu_ms(backends[side]) - backend + (time.process_time() - mine) * 1000
        costs[f"{side}_cpu_ms"] = round(spent / runs, 1)
    return costs


async def run_cases(runs: int, serial: bool) -> list[dict[str, Any]]:
    # One pooled connection for the service, so that its backend is known.
    settings = Settings(database_url=f"{SERVER}/{DATABASE}?minsize=1&maxsize=1", config=None)
    await db.open_database(settings)
    conn = await asyncpg.connect(f"{SERVER}/{DATABASE}")
    pid = "SELECT pg_backend_pid() AS pid"
    backends = {
        "service": (await connections.get("default").execute_query_dict(pid))[0]["pid"],
        "tuned": await conn.fetchval(pid),
    }
    results = []
    try:
        for name, by, filters in CASES:
            if filters.get("index"):
                await conn.execute("CREATE INDEX bench_agency_created ON feedback (agency_id, created_at)")
                await conn.execute("ANALYZE feedback")
            calls = prepare(conn, by, filters)
            results.append({"case": name, **(await cpu(calls, runs, backends) if serial else await wall(calls, runs))})
        return results
    finally:
        await conn.execute("DROP INDEX IF EXISTS bench_agency_created")
        await conn.close()
        await db.close_database()


async def bench(runs: int) -> list[dict[str, Any]]:
    timed = await run_cases(runs, serial=False)
    server = await asyncpg.connect(f"{SERVER}/postgres")
    await server.execute(f"ALTER DATABASE {DATABASE} SET max_parallel_workers_per_gather = 0")
    try:
        costs = await run_cases(runs, serial=True)
    finally:
        await server.execute(f"ALTER DATABASE {DATABASE} RESET max_parallel_workers_per_gather")
        await server.close()
    for row, cost in zip(timed, costs, strict=False):
        row |= cost
        row["ratio"] = round(row["service_ms"] / min(row["obvious_ms"], row["tuned_ms"]), 2)
        row["cpu_ratio"] = round(row["service_cpu_ms"] / row["tuned_cpu_ms"], 2)
        row["pass"] = row["ratio"] <= TARGET_RATIO and row["service_ms"] < TARGET_MS
    return timed


def table(results: list[dict[str, Any]]) -> str:
    header = (
        f"{'case':<38} {'cohort':>9} │ {'service':>7} {'obvious':>7} {'tuned':>7} {'ratio':>5} │"
        f" {'service':>7} {'tuned':>7} {'ratio':>5} │ same target"
    )
    lines = [
        header,
        f"{'':<38} {'reports':>9} │ {'wall ms (median)':^29} │ {'CPU ms, serial':^21} │",
        "─" * len(header),
    ]
    for r in results:
        lines.append(
            f"{r['case']:<38} {r['cohort']:>9,} │ {r['service_ms']:>7.0f} {r['obvious_ms']:>7.0f} {r['tuned_ms']:>7.0f}"
            f" {r['ratio']:>5.2f} │ {r['service_cpu_ms']:>7.0f} {r['tuned_cpu_ms']:>7.0f} {r['cpu_ratio']:>5.2f} │"
            f" {'yes' if r['same_figures'] else 'NO':<4} {'PASS' if r['pass'] else 'FAIL'}"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per side and case (median)")
    parser.add_argument("--skip-load", action="store_true", help="reuse the database of the last run")
    args = parser.parse_args()
    started = time.perf_counter()
    if not args.skip_load:
        await load(args.rows)
        print(f"loaded {args.rows:,} reports in {time.perf_counter() - started:.0f} s")
    before = machine()
    results = await bench(args.runs)
    after = machine()
    print(table(results))
    print(
        f"load average (1, 5, 15 min) before {before['load_average']}, after {after['load_average']}"
        f" on {before['cpus']} CPUs"
    )
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"stats-{stamp}.json"
    out.write_text(
        json.dumps({"rows": args.rows, "runs": args.runs, "machine": [before, after], "results": results}, indent=2)
    )
    print(f"results: {out.relative_to(RESULTS.parent.parent)}")


if __name__ == "__main__":
    asyncio.run(main())
