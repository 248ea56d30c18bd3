"""Duplicate search at intake: 10,000 open reports, p95 per new report.

    .venv/bin/python bench/duplicates_bench.py                  # PostgreSQL (pakn_bench_dup)
    .venv/bin/python bench/duplicates_bench.py --sqlite         # the embedded default

Loads `--open` reports received over the last 30 days inside a 20 × 20 km
city, a fifth of them in 40 hot spots (a flooded street reported again and
again), with texts from bench/search_bench.py's templates typed as people type
them. Then, for `--probes` new reports (half in hot spots), times
`duplicates.find` (the query on created_at and the bounding box, and the
ranking) and `intake.assess` (that plus category, agency and urgency), and
prints p50 / p95 / max; PASS when duplicate search p95 < 20 ms.

Figures and method: bench/README.md, section "Search and duplicates".
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_bench import STREETS, TEMPLATES, WARDS, _as_typed, code_of, create_database, dsn  # noqa: E402

TARGET_P95_MS = 20.0
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CENTRE = (21.18, 106.07)  # Bắc Ninh
SPAN = 0.09  # ± degrees: about 20 km across
HOT_SPOTS = 40


def point(rng: random.Random, spots: list[tuple[float, float]], hot: bool) -> tuple[float, float]:
    if hot:
        lat, lon = rng.choice(spots)
        return lat + rng.uniform(-0.001, 0.001), lon + rng.uniform(-0.001, 0.001)
    return CENTRE[0] + rng.uniform(-SPAN, SPAN), CENTRE[1] + rng.uniform(-SPAN, SPAN)


def text(rng: random.Random) -> tuple[str, str, str]:
    category, title, content = rng.choice(TEMPLATES)
    slots = {"street": rng.choice(STREETS), "ward": rng.choice(WARDS), "n": rng.randint(2, 99)}
    return category, _as_typed(title.format(**slots), rng), _as_typed(content.format(**slots), rng)


async def load(count: int, now: datetime, rng: random.Random, spots: list[tuple[float, float]]) -> None:
    from pakn.intelligence.intake import search_fields
    from pakn.models import Feedback

    rows = []
    for number in range(count):
        category, title, content = text(rng)
        lat, lon = point(rng, spots, hot=rng.random() < 0.2)
        created = now - timedelta(seconds=rng.randint(0, 30 * 86400))
        code = code_of(number)
        rows.append(
            Feedback(
                tracking_code=code, access_token_hash="0" * 64, title=title, content=content,
                category_id=category, lat=lat, lon=lon, created_at=created, updated_at=created,
                **search_fields(code, title, content),
            )
        )  # fmt: skip
    await Feedback.bulk_create(rows, batch_size=1000)


async def run(database_url: str, count: int, probes: int) -> int:
    from pakn import db
    from pakn.intelligence import duplicates, intake
    from pakn.reference.service import sync_categories
    from pakn.settings import Settings

    settings = Settings(database_url=database_url)
    await db.migrate(settings)
    await db.close_database()
    await db.open_database(settings)
    try:
        await sync_categories(list(settings.categories))
        engine = intake.configure(settings)
        rng = random.Random(2026)
        spots = [point(rng, [], hot=False) for _ in range(HOT_SPOTS)]
        now = datetime.now(TZ)
        began = time.monotonic()
        await load(count, now, rng, spots)
        if not settings.is_sqlite:
            # As autovacuum would after such a load: the planner needs the table's size.
            from tortoise import connections

            await connections.get("default").execute_script("ANALYZE feedback")
        print(f"loaded {count:,} open reports in {time.monotonic() - began:.0f} s")
        scope = intake._scope(engine)
        finds, assessments, shown = [], [], []
        for number in range(probes + 10):
            category, title, content = text(rng)
            lat, lon = point(rng, spots, hot=number % 2 == 0)
            report = intake.Report(title, content, None, lat, lon, None)
            probe = duplicates.Probe(intake.compact(f"{title} {content}"), lat, lon, None, category)
            started = time.perf_counter()
            found = await duplicates.find(probe, now, scope)
            middle = time.perf_counter()
            await intake.assess(report, now)
            ended = time.perf_counter()
            if number >= 10:  # the first ten warm up
                finds.append((middle - started) * 1000)
                assessments.append((ended - middle) * 1000)
                shown.append(len(found))
    finally:
        await db.close_database()
    for label, timings in (("duplicates.find", finds), ("intake.assess (all of it)", assessments)):
        cut = statistics.quantiles(timings, n=20)
        print(
            f"{label:<26} p50 {statistics.median(timings):6.1f} ms  p95 {cut[18]:6.1f} ms  max {max(timings):6.1f} ms"
        )
    print(f"candidates shown per report: mean {statistics.mean(shown):.1f}, max {max(shown)}")
    p95 = statistics.quantiles(finds, n=20)[18]
    verdict = "PASS" if p95 < TARGET_P95_MS else "FAIL"
    print(f"duplicate search p95 {p95:.1f} ms (target < {TARGET_P95_MS:.0f}): {verdict}")
    return 0 if verdict == "PASS" else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=10_000, help="open reports in the last 30 days")
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--sqlite", action="store_true", help="the embedded default instead of PostgreSQL")
    parser.add_argument("--database", default="pakn_bench_dup")
    args = parser.parse_args()
    if args.sqlite:
        folder = tempfile.mkdtemp(prefix="pakn-dup-bench-")
        return asyncio.run(run(f"sqlite://{folder}/bench.sqlite3", args.open, args.probes))

    async def fresh() -> None:
        await create_database(args.database)

    asyncio.run(fresh())
    return asyncio.run(run(dsn(args.database), args.open, args.probes))


if __name__ == "__main__":
    raise SystemExit(main())
