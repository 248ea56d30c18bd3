"""Where a submission's time goes: the same work, layer by layer, one at a time.

    .venv/bin/python bench/submit_breakdown.py [--rounds 10 --batch 100]

bench/submit_bench.py measures throughput over HTTP at 32 connections. This
script explains its figures. In one process, at concurrency 1 (no queueing,
so the numbers are per-request costs), on a fresh PostgreSQL database
(`pakn_bench_breakdown`, dropped afterwards), it times:

  bare   sql   one asyncpg INSERT (what bench/bare_app.py does)
  submit sql   the exact statements PAKN sends for one submission, captured
               from the ORM and replayed with raw asyncpg (fresh unique values)
  submit orm   pakn.submission.service.find_replay + submit (Tortoise)
  submit asgi  the whole app (middleware, parsing, validation, ORM, JSON),
               called in-process as ASGI, no sockets
  track  sql / orm / asgi   the same for GET /api/v1/feedback/{code} with its token

and prints, per operation, the statements sent, the wall time and the CPU time
of this process (the Python side; PostgreSQL's own CPU is not in it). The
differences between rows are the cost of each layer. Rows run round-robin in
batches and the median batch is reported, so that other work on the machine
disturbs every row alike. Bounded: about 12,000 operations, under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from submit_bench import BODY, RESULTS  # noqa: E402


# --------------------------------------------------------------------------- statement capture


@dataclass
class Statement:
    method: str  # execute | fetch | fetchrow | fetchval
    query: str
    args: tuple[Any, ...]


class Recorder:
    """Records what asyncpg is asked to run while `active`."""

    def __init__(self) -> None:
        self.active = False
        self.statements: list[Statement] = []

    def install(self) -> None:
        import asyncpg.connection

        recorder = self
        for name in ("execute", "fetch", "fetchrow", "fetchval"):
            original = getattr(asyncpg.connection.Connection, name)

            def wrapper(self: Any, query: str, *args: Any, __original: Any = original, __name: str = name, **kw: Any) -> Any:
                if recorder.active:
                    recorder.statements.append(Statement(__name, query, args))
                return __original(self, query, *args, **kw)

            setattr(asyncpg.connection.Connection, name, wrapper)

    def capture(self) -> _Capture:
        return _Capture(self)


class _Capture:
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def __enter__(self) -> list[Statement]:
        self.recorder.statements = []
        self.recorder.active = True
        return self.recorder.statements

    def __exit__(self, *exc: object) -> None:
        self.recorder.active = False


# --------------------------------------------------------------------------- ASGI in-process


class AsgiApp:
    """Calls an ASGI app directly: lifespan, then requests, without a server."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state: dict[str, Any] = {}

    async def start(self) -> None:
        self._events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._lifespan())
        await self._events.put({"type": "lifespan.startup"})
        await self._started

    async def stop(self) -> None:
        await self._events.put({"type": "lifespan.shutdown"})
        await self._task

    async def _lifespan(self) -> None:
        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                self._started.set_result(None)
            elif message["type"] == "lifespan.startup.failed":
                self._started.set_exception(RuntimeError(message.get("message")))

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        await self.app(scope, self._events.get, send)

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
        raw_headers = [(b"host", b"127.0.0.1:8000")] + [
            (name.lower().encode(), value.encode()) for name, value in headers.items()
        ]
        if body:
            raw_headers.append((b"content-length", str(len(body)).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": raw_headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": dict(self.state),
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # no disconnect while the app runs
            return {"type": "http.disconnect"}

        status = 0
        chunks: list[bytes] = []

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


# --------------------------------------------------------------------------- timing


@dataclass
class Row:
    name: str
    statements: int
    ops: int
    wall_ms: float
    cpu_ms: float


@dataclass
class Scenario:
    name: str
    statements: int
    op: Callable[[int], Awaitable[None]]
    walls: list[float]
    cpus: list[float]


async def measure(scenarios: list[Scenario], warmup: int, rounds: int, batch: int) -> list[Row]:
    """Round-robin batches, so that a burst of other work on the machine spreads
    over every row instead of landing on one; per row, the median batch."""
    counter = 0
    for scenario in scenarios:
        for _ in range(warmup):
            counter += 1
            await scenario.op(counter)
    for _ in range(rounds):
        for scenario in scenarios:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for _ in range(batch):
                counter += 1
                await scenario.op(counter)
            scenario.walls.append((time.perf_counter() - wall0) / batch * 1000)
            scenario.cpus.append((time.process_time() - cpu0) / batch * 1000)
    rows = []
    for scenario in scenarios:
        row = Row(scenario.name, scenario.statements, rounds * batch,
                  statistics.median(scenario.walls), statistics.median(scenario.cpus))
        print(f"  {row.name:<26} {row.statements:>3} stmts  {row.wall_ms:7.3f} ms wall  {row.cpu_ms:7.3f} ms cpu"
              f"   (cpu min {min(scenario.cpus):.3f}, max {max(scenario.cpus):.3f})", flush=True)
        rows.append(row)
    return rows


async def cprofile(scenario: Scenario, warmup: int, ops: int) -> None:
    """cProfile one row: where its CPU goes, by function (deterministic, so
    it inflates small-function costs; read shares, not absolute times)."""
    import cProfile
    import io
    import pstats

    for i in range(warmup):
        await scenario.op(-1 - i)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(ops):
        await scenario.op(10_000_000 + i)
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(30)
        print(f"--- {scenario.name}: {ops} operations, by {order}")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000])


def substitute(value: Any, replacements: dict[Any, Any]) -> Any:
    try:
        return replacements.get(value, value)
    except TypeError:  # unhashable (dict for jsonb)
        return value


# --------------------------------------------------------------------------- main


async def run(args: argparse.Namespace, dsn: str, workdir: Path) -> list[Row]:
    import asyncpg

    from pakn.app import create_app
    from pakn.settings import Settings
    from pakn.submission import secrets, service, tracking
    from pakn.submission.schemas import FeedbackCreate
    from pakn.submission.views import ViewContext

    recorder = Recorder()
    recorder.install()
    settings = Settings(
        database_url=dsn.replace("postgresql://", "postgres://", 1),
        secret_key="bench-secret-key-not-for-production-0123456789",
        var_dir=workdir / "var",
        media_dir=workdir / "var" / "media",
        log_level="warning",
        db_pool_size=args.pool_size,
    )
    app = create_app(settings)
    asgi = AsgiApp(app)
    await asgi.start()
    async def no_reset(connection: Any) -> None:
        return None

    # Resets are replayed explicitly where the service's pool would run them
    # (asyncpg runs one round trip of reset SQL whenever a connection goes back).
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=args.pool_size, reset=no_reset)
    rows: list[Row] = []
    try:
        server_key = app.state.server_key
        storage = app.state.storage
        body = BODY.encode()
        data = FeedbackCreate.model_validate(json.loads(BODY))
        nonce = f"{time.time_ns():x}"

        # One submission through the ORM, with its statements captured. Its id
        # is made distinctive so that replaying can swap it by value.
        await pool.execute("SELECT setval('feedback_id_seq', 7000000)")
        sample_key = f"capture-{nonce}"
        submission = service.Submission(data=data, idempotency_key=sample_key)
        with recorder.capture() as submit_statements:
            assert await service.find_replay(submission, server_key) is None
            outcome = await service.submit(submission, storage=storage, server_key=server_key, now=_now(settings))
        sample = outcome.created
        with recorder.capture() as track_statements:
            ctx = ViewContext(
                lang="vi", tz=settings.tz, categories=await tracking.categories_by_code(), attachment_url=lambda f, a: ""
            )
            await tracking.track(sample.tracking_code, sample.access_token, ctx)

        print(f"captured: submit sends {len(submit_statements)} statements, track {len(track_statements)}")
        for stmt in submit_statements:
            print(f"    submit  {stmt.method:<9} {_short(stmt.query)}")
        for stmt in track_statements:
            print(f"    track   {stmt.method:<9} {_short(stmt.query)}")
        print(flush=True)

        await pool.execute(
            "CREATE TABLE IF NOT EXISTS bench_feedback (id BIGSERIAL PRIMARY KEY, idempotency_key VARCHAR(255) "
            "NOT NULL UNIQUE, title VARCHAR(200) NOT NULL DEFAULT '', content TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)"
        )

        reset_query = next(stmt.query for stmt in submit_statements if _is_reset(stmt))

        async def bare_sql(i: int, reset: bool = True) -> None:
            # What bench/bare_app.py does: pool.fetchval, so INSERT + the pool's reset.
            async with pool.acquire() as connection:
                await connection.fetchval(
                    "INSERT INTO bench_feedback (idempotency_key, title, content, created_at) "
                    "VALUES ($1, $2, $3, $4) RETURNING id",
                    f"bare-{nonce}-{i}-{reset}", data.title, data.content, _now(settings),
                )
                if reset:
                    await connection.execute(reset_query)

        async def bare_sql_no_reset(i: int) -> None:
            await bare_sql(i, reset=False)

        async def submit_sql(i: int, statements: list[Statement] = submit_statements, tag: str = "sql") -> None:
            # The captured statements, on one connection, with fresh unique values.
            replacements: dict[Any, Any] = {
                sample_key: f"{tag}-{nonce}-{i}",
                sample.tracking_code: secrets.new_tracking_code(_now(settings)),
            }
            async with pool.acquire() as connection:
                for stmt in statements:
                    values = [substitute(v, replacements) for v in stmt.args]
                    result = await getattr(connection, stmt.method)(stmt.query, *values)
                    if stmt.method == "fetchrow" and stmt.query.startswith('INSERT INTO "feedback"'):
                        replacements[sample.id] = result[0]

        submit_no_resets = [stmt for stmt in submit_statements if not _is_reset(stmt)]

        async def submit_sql_no_reset(i: int) -> None:
            await submit_sql(i, submit_no_resets, "noreset")

        merged = one_statement([s for s in submit_no_resets if s.query.startswith("INSERT")], sample.id)

        async def submit_sql_one(i: int) -> None:
            # The three INSERTs as one statement (data-modifying CTEs), no
            # pre-check and no category query: the floor of a redesigned path.
            replacements = {
                sample_key: f"one-{nonce}-{i}",
                sample.tracking_code: secrets.new_tracking_code(_now(settings)),
            }
            async with pool.acquire() as connection:
                await connection.fetchval(merged.query, *[substitute(v, replacements) for v in merged.args])

        async def submit_orm(i: int) -> None:
            item = service.Submission(data=data, idempotency_key=f"orm-{nonce}-{i}")
            if await service.find_replay(item, server_key) is None:
                await service.submit(item, storage=storage, server_key=server_key, now=_now(settings))

        async def submit_asgi(i: int) -> None:
            status, reply = await asgi.request(
                "POST", "/api/v1/feedback",
                {"content-type": "application/json", "idempotency-key": f"asgi-{nonce}-{i}"}, body,
            )
            assert status == 201, reply

        async def track_sql(i: int) -> None:
            async with pool.acquire() as connection:
                for stmt in track_statements:
                    await getattr(connection, stmt.method)(stmt.query, *stmt.args)

        track_no_resets = [stmt for stmt in track_statements if not _is_reset(stmt)]

        async def track_sql_no_reset(i: int) -> None:
            async with pool.acquire() as connection:
                for stmt in track_no_resets:
                    await getattr(connection, stmt.method)(stmt.query, *stmt.args)

        async def track_orm(i: int) -> None:
            view_ctx = ViewContext(
                lang="vi", tz=settings.tz, categories=await tracking.categories_by_code(), attachment_url=lambda f, a: ""
            )
            view = await tracking.track(sample.tracking_code, sample.access_token, view_ctx)
            view.model_dump(mode="json")

        async def track_asgi(i: int) -> None:
            status, reply = await asgi.request(
                "GET", f"/api/v1/feedback/{sample.tracking_code}", {"authorization": f"Bearer {sample.access_token}"}
            )
            assert status == 200, reply

        plan = [
            ("bare sql", 2, bare_sql),
            ("bare sql, no reset", 1, bare_sql_no_reset),
            ("submit sql, one statement", 1, submit_sql_one),
            ("submit sql, no resets", len(submit_no_resets), submit_sql_no_reset),
            ("submit sql", len(submit_statements), submit_sql),
            ("submit orm", len(submit_statements), submit_orm),
            ("submit asgi", len(submit_statements), submit_asgi),
            ("track sql, no resets", len(track_no_resets), track_sql_no_reset),
            ("track sql", len(track_statements), track_sql),
            ("track orm", len(track_statements), track_orm),
            ("track asgi", len(track_statements), track_asgi),
        ]
        scenarios = [Scenario(name, count, op, [], []) for name, count, op in plan]
        if args.cprofile:
            chosen = [s for s in scenarios if s.name == args.cprofile]
            if not chosen:
                raise SystemExit(f"bench: no row named {args.cprofile!r}: {[s.name for s in scenarios]}")
            await cprofile(chosen[0], args.warmup, args.rounds * args.batch)
            return []
        rows = await measure(scenarios, args.warmup, args.rounds, args.batch)
    finally:
        await pool.close()
        await asgi.stop()
    return rows


def _is_reset(stmt: Statement) -> bool:
    return "pg_advisory_unlock_all" in stmt.query or stmt.query.startswith("RESET ALL")


def one_statement(inserts: list[Statement], feedback_id: int) -> Statement:
    """The INSERTs as one statement: the first (the report, RETURNING "id") as a
    CTE, the others as data-modifying CTEs that take the new id from it."""
    first, rest = inserts[0], inserts[1:]
    args = list(first.args)
    ctes = [f"f AS ({first.query})"]
    for number, stmt in enumerate(rest):
        match = re.match(r"INSERT INTO (\S+) \((.*?)\) VALUES \((.*?)\)", stmt.query, re.S)
        if match is None:
            raise SystemExit(f"bench: cannot merge {stmt.query!r}")
        table, columns, placeholders = match.groups()
        items = []
        for placeholder in placeholders.split(","):
            value = stmt.args[int(placeholder.strip().lstrip("$")) - 1]
            if isinstance(value, int) and not isinstance(value, bool) and value == feedback_id:
                items.append('(SELECT "id" FROM f)')
            else:
                args.append(value)
                items.append(f"${len(args)}")
        ctes.append(f"x{number} AS (INSERT INTO {table} ({columns}) VALUES ({','.join(items)}))")
    return Statement("fetchval", f'WITH {", ".join(ctes)} SELECT "id" FROM f', tuple(args))


def _now(settings: Any) -> Any:
    from datetime import datetime

    return datetime.now(settings.tz)


def _short(query: str) -> str:
    query = " ".join(query.split())
    return query if len(query) <= 110 else query[:107] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="per-layer cost of one submission and one tracking lookup")
    parser.add_argument("--rounds", type=int, default=10, help="timed batches per row (median reported)")
    parser.add_argument("--batch", type=int, default=100, help="operations per batch")
    parser.add_argument("--warmup", type=int, default=100, help="untimed operations per row first")
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument("--cprofile", metavar="ROW", help="cProfile one row (e.g. 'submit asgi') instead of timing")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="pakn_bench_breakdown")
    args = parser.parse_args(argv)

    import asyncpg

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(f"{args.pg}/postgres")
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    dsn = f"{args.pg}/{args.database}"
    workdir = Path(tempfile.mkdtemp(prefix="pakn-breakdown-"))
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
    asyncio.run(admin(f'CREATE DATABASE "{args.database}"'))
    try:
        env = {**os.environ, "PAKN_DATABASE_URL": dsn.replace("postgresql://", "postgres://", 1),
               "PAKN_SECRET_KEY": "x" * 32, "PAKN_VAR_DIR": str(workdir / "var")}
        env.pop("PAKN_CONFIG", None)
        subprocess.run([sys.executable, "-m", "pakn.cli", "migrate"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        os.environ.pop("PAKN_CONFIG", None)
        import uvloop  # the loop uvicorn runs the service on

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            rows = runner.run(run(args, dsn, workdir))
        if not rows:
            return 0
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))

    by = {row.name: row for row in rows}
    print()
    print("layer costs per operation (CPU of the Python process, ms):")
    for what in ("submit", "track"):
        sql, orm, asgi = by[f"{what} sql"], by[f"{what} orm"], by[f"{what} asgi"]
        print(f"  {what}: its statements on raw asyncpg {sql.cpu_ms:.2f} | + Tortoise {orm.cpu_ms - sql.cpu_ms:.2f} "
              f"| + app/Starlette/pydantic/JSON {asgi.cpu_ms - orm.cpu_ms:.2f} | = {asgi.cpu_ms:.2f} "
              f"(bare INSERT + reset: {by['bare sql'].cpu_ms:.2f})")
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = RESULTS / f"breakdown-{stamp}.json"
    out.write_text(json.dumps([row.__dict__ for row in rows], indent=2) + "\n")
    print(f"\nbench: results in {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
