"""Search benchmark: the staff queue's `q` over 1,000,000 reports on PostgreSQL.

    .venv/bin/python bench/search_bench.py                 # load 1M reports, then measure
    .venv/bin/python bench/search_bench.py --reuse         # measure again on the loaded database

1. drops and creates the database `pakn_bench_search` (127.0.0.1:5432, user
   postgres), runs `python -m pakn.cli migrate` (migration 0004 creates pg_trgm
   and the two GIN indexes), syncs the configured categories;
2. loads `--rows` synthetic reports with COPY: Vietnamese sentences from
   templates, typed as people type them (a third without diacritics, some run
   together), with `search_text` / `search_compact` written as intake writes
   them, spread over 180 days; the trigram indexes are dropped for the load and
   built again afterwards (timed), then ANALYZE;
3. runs each query of QUERIES `--repeat` times through `pakn.workflow.queue.list_queue`
   (the code behind GET /api/v1/staff/feedback?q=…: filter, newest first, page of 50),
   as a coordinator, and prints p50 / p95 / max per query and over all, PASS when
   the overall p95 is under 200 ms. `--explain` prints the plan of each query.

Figures and method: bench/README.md, section "Search and duplicates".
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pakn.text.fold import compact, search_document  # noqa: E402

DATABASE = "pakn_bench_search"
ADMIN_DSN = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_P95_MS = 200.0
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

STREETS = [
    "Trần Hưng Đạo", "Lê Lợi", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Phan Đình Phùng", "Lê Duẩn",
    "Nguyễn Văn Cừ", "Ngô Gia Tự", "Trần Phú", "Quang Trung", "Hùng Vương", "Điện Biên Phủ", "Cách Mạng Tháng Tám",
    "Võ Nguyên Giáp", "Lạc Long Quân", "Âu Cơ", "Kim Mã", "Giải Phóng", "Tràng An",
]  # fmt: skip
WARDS = ["Kinh Bắc", "Võ Cường", "Đình Bảng", "Ninh Khánh", "Hoa Lư", "Nam Thành", "Tam Điệp", "Từ Sơn", "Châu Khê"]
TEMPLATES = [
    (
        "giao-thong",
        "Đường {street} có ổ gà lớn",
        "Mặt đường {street}, phường {ward} xuất hiện nhiều ổ gà sau mưa, xe máy đi qua rất nguy hiểm.",
    ),
    (
        "giao-thong",
        "Đèn tín hiệu hỏng",
        "Đèn tín hiệu ở ngã tư {street} hỏng {n} ngày nay, giờ cao điểm ùn tắc kéo dài.",
    ),
    (
        "cap-thoat-nuoc",
        "Đường bị ngập",
        "Đoạn đường {street} bị ngập nước sau mưa lớn, nước tràn vào nhà dân ở phường {ward}.",
    ),
    (
        "cap-thoat-nuoc",
        "Mất nước sinh hoạt",
        "Khu phố {n} phường {ward} mất nước sinh hoạt {n} ngày, công ty cấp nước chưa thông báo.",
    ),
    ("cap-thoat-nuoc", "Ống nước vỡ", "Đường ống nước vỡ trước số nhà {n} {street}, nước chảy lênh láng ra đường."),
    ("moi-truong", "Rác thải ùn ứ", "Rác thải ở đầu ngõ {n} {street} không được thu gom, bốc mùi hôi thối."),
    ("moi-truong", "Khói bụi từ xưởng", "Xưởng sản xuất ở phường {ward} xả khói bụi cả ngày, người dân ho nhiều."),
    (
        "dien-chieu-sang",
        "Đèn đường hỏng",
        "Đèn đường trên phố {street} tắt cả tuần, buổi tối rất tối và dễ xảy ra cướp giật.",
    ),
    (
        "dien-chieu-sang",
        "Mất điện liên tục",
        "Khu dân cư phường {ward} mất điện {n} lần trong tuần mà không có thông báo.",
    ),
    (
        "trat-tu-do-thi",
        "Lấn chiếm vỉa hè",
        "Các quán trên phố {street} lấn chiếm vỉa hè, người đi bộ phải xuống lòng đường.",
    ),
    (
        "an-ninh-trat-tu",
        "Tụ tập gây rối",
        "Nhóm thanh niên tụ tập ở công viên phường {ward} đến khuya, gây mất trật tự.",
    ),
    ("y-te", "Trạm y tế đóng cửa", "Trạm y tế phường {ward} đóng cửa buổi chiều, người dân không tiêm chủng được."),
    (
        "giao-duc",
        "Lạm thu đầu năm",
        "Trường tiểu học ở phường {ward} thu nhiều khoản ngoài quy định, phụ huynh bức xúc.",
    ),
    (
        "thu-tuc-hanh-chinh",
        "Hồ sơ trễ hẹn",
        "Hồ sơ nộp tại bộ phận một cửa phường {ward} trễ hẹn {n} ngày chưa có kết quả.",
    ),
    ("dat-dai", "Chậm cấp sổ đỏ", "Gia đình tôi ở phường {ward} nộp hồ sơ cấp sổ đỏ từ {n} tháng trước vẫn chưa có."),
    (
        "lao-dong-xa-hoi",
        "Nợ lương công nhân",
        "Công ty trong khu công nghiệp phường {ward} nợ lương công nhân {n} tháng.",
    ),
]
QUERIES = [
    "duong bi ngap", "ĐƯỜNG BỊ NGẬP", "duongbingap", "Trần Hưng Đạo", "tranhungdao", "den duong hong",
    "ong nuoc vo", "mất nước sinh hoạt", "lấn chiếm vỉa hè", "khoi bui", "nợ lương", "phường Châu Khê",
    "cướp giật", "kim tiêm", "không có từ này", "zzqxj", "ga",
]  # fmt: skip


def _strip(text: str) -> str:
    import unicodedata

    bare = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in bare if not unicodedata.combining(char))


def _as_typed(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return _strip(text)
    if roll < 0.4:
        words = text.split(" ")
        return "".join(word + ("" if rng.random() < 0.4 else " ") for word in words).strip()
    return text


def code_of(number: int) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    digits = ""
    for _ in range(7):
        number, rest = divmod(number, 32)
        digits = alphabet[rest] + digits
    return f"PAKN-2026-{digits}"


def rows(start: int, count: int, now: datetime, seed: int) -> list[tuple[object, ...]]:
    rng = random.Random(seed)
    made = []
    for number in range(start, start + count):
        category, title, content = rng.choice(TEMPLATES)
        slots = {"street": rng.choice(STREETS), "ward": rng.choice(WARDS), "n": rng.randint(2, 99)}
        title, content = _as_typed(title.format(**slots), rng), _as_typed(content.format(**slots), rng)
        code = code_of(number)
        text = search_document(code, title, content)
        created = now - timedelta(seconds=rng.randint(0, 180 * 86400))
        made.append(
            (code, "0" * 64, title, content, category, "received", "normal", "mobile", "", True, True, 1,
             created, created, text, compact(text), False)
        )  # fmt: skip
    return made


COLUMNS = [
    "tracking_code", "access_token_hash", "title", "content", "category_id", "status", "priority", "channel",
    "address", "is_anonymous", "is_public", "version", "created_at", "updated_at", "search_text",
    "search_compact", "urgent",
]  # fmt: skip
INDEXES = {
    "feedback_search_text_trgm": "search_text",
    "feedback_search_compact_trgm": "search_compact",
}


def dsn(database: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{database}"


async def create_database(name: str) -> None:
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    env = {**os.environ, "PAKN_DATABASE_URL": dsn(name)}
    subprocess.run([sys.executable, "-m", "pakn.cli", "migrate"], cwd=ROOT, env=env, check=True)
    await seed_categories(name)


async def seed_categories(name: str) -> None:
    """The configured categories, which reports reference."""
    from pakn import db
    from pakn.reference.service import sync_categories
    from pakn.settings import Settings

    settings = Settings(database_url=dsn(name))
    await db.open_database(settings)
    try:
        await sync_categories(list(settings.categories))
    finally:
        await db.close_database()


async def load(name: str, total: int, batch: int = 50_000) -> None:
    connection = await asyncpg.connect(dsn(name))
    try:
        for index in INDEXES:
            await connection.execute(f'DROP INDEX IF EXISTS "{index}"')
        now = datetime.now(UTC)
        started = time.monotonic()
        for start in range(0, total, batch):
            chunk = rows(start, min(batch, total - start), now, seed=start)
            await connection.copy_records_to_table("feedback", records=chunk, columns=COLUMNS)
            print(f"  loaded {start + len(chunk):>9,} rows  ({time.monotonic() - started:.0f} s)", flush=True)
        for index, column in INDEXES.items():
            began = time.monotonic()
            await connection.execute(f'CREATE INDEX "{index}" ON feedback USING gin ("{column}" gin_trgm_ops)')
            print(f"  index {index}: {time.monotonic() - began:.0f} s", flush=True)
        await connection.execute("ANALYZE feedback")
    finally:
        await connection.close()


async def measure(name: str, repeat: int, explain: bool) -> list[float]:
    from pakn import db
    from pakn.domain.roles import Role
    from pakn.models import StaffUser
    from pakn.settings import Settings
    from pakn.workflow import queue
    from pakn.workflow.queue_schemas import QueueParams

    settings = Settings(database_url=dsn(name))
    await db.open_database(settings)
    try:
        coordinator = StaffUser(role=Role.COORDINATOR)  # reach: every report; never saved
        now = datetime.now(TZ)
        everything: list[float] = []
        print(f"{'query':<24} {'rows':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for query in [*QUERIES, code_of(7).lower().replace("-", " ")]:  # a code, as read out
            params = QueueParams(q=query)
            if explain:
                rows_sql = queue.filtered(coordinator, params, now, TZ).order_by("-created_at", "-id").limit(51)
                print((await rows_sql.explain())[0] if rows_sql else "")
            timings = []
            for attempt in range(repeat + 1):
                began = time.perf_counter()
                page = await queue.list_queue(coordinator, params, queue.PageRequest(), now, TZ)
                if attempt:  # the first run warms the cache and is not counted
                    timings.append((time.perf_counter() - began) * 1000)
            everything += timings
            cut = statistics.quantiles(timings, n=20)
            print(
                f"{query[:24]:<24} {len(page.items):>5}"
                f" {statistics.median(timings):>8.1f} {cut[18]:>8.1f} {max(timings):>8.1f}"
            )
        return everything
    finally:
        await db.close_database()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--reuse", action="store_true", help="measure the database loaded by an earlier run")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    args = parser.parse_args()
    if not args.reuse:
        asyncio.run(create_database(args.database))
        asyncio.run(load(args.database, args.rows))
    timings = asyncio.run(measure(args.database, args.repeat, args.explain))
    p95 = statistics.quantiles(timings, n=20)[18]
    verdict = "PASS" if p95 < TARGET_P95_MS else "FAIL"
    print(
        f"all queries: p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms"
        f" (target < {TARGET_P95_MS:.0f}): {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
