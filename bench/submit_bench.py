"""Submission benchmark: PAKN on PostgreSQL against a bare Starlette + asyncpg INSERT.

    .venv/bin/python bench/submit_bench.py            # about 2 minutes
    .venv/bin/python bench/submit_bench.py --profile  # + a py-spy profile of the submit path

What it does, in one run:

1. drops and creates the database `pakn_bench` on 127.0.0.1:5432 (user postgres),
   runs `python -m pakn.cli migrate`, then starts `python -m pakn.cli serve` and
   `bench/bare_app.py`, each one uvicorn process on a free port;
2. drives three targets with wrk (bench/load.lua), each with a warm-up that is
   thrown away and then a measured run, at the same number of connections:
   bare  POST /bare/feedback           one raw asyncpg INSERT
   submit POST /api/v1/feedback         JSON body, a unique Idempotency-Key each
   track GET  /api/v1/feedback/{code}  bearer access_token, codes from `submit`
3. prints requests, req/s, p50/p99 and errors per target, the ratio
   submit/bare req/s, PASS/FAIL against the targets (ratio >= 0.6, p99 < 100 ms),
   and writes everything as JSON to bench/results/.

Every process it starts is ended on the way out, on failure and on Ctrl-C too.
Figures, method and reading: bench/README.md. Needs `wrk` (Debian: apt-get install wrk);
`--profile` needs py-spy (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
LUA = BENCH / "load.lua"
PYTHON = sys.executable

TARGET_RATIO = 0.6
TARGET_P99_MS = 100.0
TARGET_LAG_S = 5.0

# The README's example report: Vietnamese text, a location, a contact.
BODY = json.dumps(
    {
        "title": "Đường bị ngập",
        "content": "Đường Trần Hưng Đạo ngập sâu sau mưa, xe máy không đi được, đề nghị xử lý thoát nước.",
        "category": "giao-thong",
        "location": {"lat": 21.0245, "lon": 105.8412, "address": "Trần Hưng Đạo, Hoàn Kiếm"},
        "contact": {"name": "An", "phone": "0912345678"},
    },
    ensure_ascii=False,
)


# --------------------------------------------------------------------------- processes


@dataclass
class Procs:
    """Every child process started, so that all of them end on the way out."""

    items: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        handle = log.open("wb")
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        handle.close()
        self.items.append((name, proc))
        return proc

    def stop_all(self) -> None:
        for _, proc in reversed(self.items):
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _, proc in reversed(self.items):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        self.items.clear()


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)  # each child leads its own session
    except ProcessLookupError:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bench: {url} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"bench: {url} not ready after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


# --------------------------------------------------------------------------- CPU accounting


def _ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


def _postgres_ticks(database: str) -> int:
    """CPU of the PostgreSQL processes that work for this run: the backends
    connected to `database` and the shared background processes (WAL writer,
    checkpointer...), not the backends of other databases on the same server."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if "(postgres)" not in stat and "(postmaster)" not in stat:
                continue
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        backend = "(" in title  # "postgres: 15/main: user db 127.0.0.1(port) state"
        if backend and f" {database} " not in title:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total


_STAT_COLUMNS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def _machine_ticks() -> dict[str, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return dict(zip(_STAT_COLUMNS, values, strict=True))


class CpuMeter:
    """CPU used during one measured phase, in cores (1.0 = one core busy all along)."""

    def __init__(self, pids: dict[str, int], database: str) -> None:
        self.pids = pids
        self.database = database
        self.hz = os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> CpuMeter:
        self.started = time.monotonic()
        self.before = {name: _ticks(pid) for name, pid in self.pids.items()}
        self.pg_before = _postgres_ticks(self.database)
        self.machine_before = _machine_ticks()
        return self

    def __exit__(self, *exc: object) -> None:
        seconds = time.monotonic() - self.started
        self.cores = {
            name: round((_ticks(pid) - self.before[name]) / self.hz / seconds, 2) for name, pid in self.pids.items()
        }
        self.cores["postgres"] = round((_postgres_ticks(self.database) - self.pg_before) / self.hz / seconds, 2)
        after = _machine_ticks()
        delta = {name: after[name] - self.machine_before[name] for name in _STAT_COLUMNS}
        total = max(1, sum(delta.values()))
        ncpu = os.cpu_count() or 1

        def cores(*names: str) -> float:
            return round(sum(delta[n] for n in names) / total * ncpu, 2)

        # Machine-wide, in cores: what the processes above do not show (softirq of
        # the loopback traffic, other tenants, the hypervisor's steal).
        self.cores["machine"] = cores("user", "nice", "system", "irq", "softirq", "steal")
        self.cores["user+system"] = cores("user", "nice", "system")
        self.machine = {
            "user": cores("user", "nice"),
            "system": cores("system"),
            "irq+softirq": cores("irq", "softirq"),
            "steal": cores("steal"),
            "iowait": cores("iowait"),
            "idle": cores("idle"),
        }


# --------------------------------------------------------------------------- load


@dataclass
class Phase:
    target: str
    url: str
    mode: str  # post | track
    path: str
    capture: Path | None = None
    codes: Path | None = None
    vary: bool = False  # varied reports at varied spots instead of the flood


def run_wrk(
    phase: Phase, seconds: int, args: argparse.Namespace, workdir: Path, label: str, watch: dict[str, int]
) -> dict[str, Any]:
    summary = workdir / f"{phase.target}-{label}.json"
    env = {
        **os.environ,
        "BENCH_MODE": phase.mode,
        "BENCH_PATH": phase.path,
        "BENCH_BODY": BODY,
        "BENCH_SUMMARY": str(summary),
        "BENCH_NONCE": f"{int(time.time() * 1000):x}-{label}",
    }
    if phase.vary:
        env["BENCH_VARY"] = "1"
    if phase.capture:
        env["BENCH_CAPTURE"] = str(phase.capture)
    if phase.codes:
        env["BENCH_CODES"] = str(phase.codes)
    argv = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        phase.url + "/",  # load.lua sets each request's path
    ]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        with CpuMeter(watch, args.database) as meter:
            output, _ = proc.communicate(timeout=seconds + 60)
    except BaseException:
        _signal_group(proc, signal.SIGKILL)
        proc.wait()
        raise
    # wrk is the only child reaped meanwhile: its CPU is the growth of RUSAGE_CHILDREN.
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    meter.cores["wrk"] = round(wrk_cpu / (time.monotonic() - meter.started), 2)
    # Processes and kernel time not of this run (other work on the machine),
    # the idle server of the other target included (it should be near zero).
    ours = sum(meter.cores.get(name, 0) for name in ("server", "jobs", "postgres", "wrk"))
    meter.cores["other"] = round(max(0.0, meter.cores.pop("user+system") - ours), 2)
    if proc.returncode != 0 or not summary.exists():
        raise SystemExit(f"bench: wrk failed for {phase.target} ({label}):\n{output.decode(errors='replace')}")
    data: dict[str, Any] = json.loads(summary.read_text())
    data["cpu_cores"] = meter.cores
    data["machine_cores"] = meter.machine
    return data


def figures(raw: dict[str, Any]) -> dict[str, Any]:
    seconds = raw["duration_us"] / 1e6
    errors = raw["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["latency_us"]["p50"] / 1000, 2),
        "p90_ms": round(raw["latency_us"]["p90"] / 1000, 2),
        "p99_ms": round(raw["latency_us"]["p99"] / 1000, 2),
        "max_ms": round(raw["latency_us"]["max"] / 1000, 2),
        "errors": socket_errors + errors["status"],
        "statuses": raw["statuses"],
        "cpu_cores": raw["cpu_cores"],
        "machine_cores": raw["machine_cores"],
        # Server CPU per request: moved much less than req/s by other work on the machine.
        "server_cpu_ms_per_request": round(
            raw["cpu_cores"].get("server", 0) * 1000 / max(1e-9, raw["requests"] / seconds), 3
        ),
    }


def concat_codes(capture: Path, into: Path) -> int:
    lines: list[str] = []
    for part in sorted(capture.parent.glob(capture.name + ".*")):
        lines.extend(line for line in part.read_text().splitlines() if line.strip())
    into.write_text("\n".join(lines) + "\n")
    return len(lines)


# --------------------------------------------------------------------------- database


async def assessment_lag(dsn: str, since: datetime, until: datetime, wait_s: float) -> dict[str, Any]:
    """Commit-to-stored-assessment lag of the reports received in [since, until),
    after waiting (up to `wait_s`) for the backlog to clear; a report still
    waiting then counts with its lag so far."""
    connection = await asyncpg_connect(dsn)
    try:
        started = time.monotonic()
        while await connection.fetchval("SELECT count(*) FROM deferred_task WHERE kind = 'assess'"):
            if time.monotonic() - started > wait_s:
                break
            await asyncio.sleep(0.25)
        cleared_s = time.monotonic() - started
        rows = await connection.fetch(
            "SELECT EXTRACT(EPOCH FROM (COALESCE(assessed_at, clock_timestamp()) - created_at)) AS lag, "
            "assessed_at IS NULL AS pending "
            "FROM feedback WHERE created_at >= $1 AND created_at < $2",
            since,
            until,
        )
    finally:
        await connection.close()
    lags = sorted(float(row["lag"]) for row in rows)
    if not lags:
        return {"reports": 0}

    def pct(share: float) -> float:
        return round(lags[min(len(lags) - 1, int(share * len(lags)))], 3)

    return {
        "reports": len(lags),
        "p50_s": pct(0.50),
        "p95_s": pct(0.95),
        "max_s": round(lags[-1], 3),
        "pending_after_wait": sum(1 for row in rows if row["pending"]),
        "backlog_cleared_after_load_s": round(cleared_s, 2),
    }


async def asyncpg_connect(dsn: str) -> Any:
    import asyncpg

    return await asyncpg.connect(dsn)


async def recreate_database(admin_dsn: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def drop_database(admin_dsn: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def postgres_facts(dsn: str) -> dict[str, str]:
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        facts = {"server_version": await connection.fetchval("SHOW server_version")}
        for name in ("max_connections", "shared_buffers", "synchronous_commit", "fsync"):
            facts[name] = await connection.fetchval(f"SHOW {name}")
        return facts
    finally:
        await connection.close()


# --------------------------------------------------------------------------- profile


def profile_submit(
    args: argparse.Namespace, phase: Phase, server_pid: int, workdir: Path, stamp: str
) -> dict[str, Any]:
    """py-spy on the PAKN process while wrk drives the submit path (not measured)."""
    spy = shutil.which("py-spy", path=str(Path(PYTHON).parent)) or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("bench: --profile needs py-spy: .venv/bin/pip install -e '.[bench]'")
    RESULTS.mkdir(exist_ok=True)
    collapsed = RESULTS / f"profile-submit-{stamp}.txt"
    seconds, rate = args.profile_seconds, 200
    # py-spy leaves out samples where the thread sleeps (epoll): samples / (rate x
    # seconds) is the share of time the process was busy.
    recorder = subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(server_pid),
            "--rate",
            str(rate),
            "--duration",
            str(seconds),
            "--format",
            "raw",
            "--output",
            str(collapsed),
            "--nonblocking",
            "--full-filenames",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        time.sleep(0.5)
        load = run_wrk(phase, seconds, args, workdir, "profile", {})
        _, err = recorder.communicate(timeout=60)
    except BaseException:
        _signal_group(recorder, signal.SIGKILL)
        recorder.wait()
        raise
    if not collapsed.exists():
        raise SystemExit(f"bench: py-spy wrote nothing: {err.decode(errors='replace')}")
    summary = summarise_profile(collapsed, args.top, expected=rate * seconds)
    return {
        "collapsed": str(collapsed.relative_to(ROOT)),
        "load_rps": figures(load)["rps"],
        **summary,
    }


def summarise_profile(collapsed: Path, top: int, expected: int) -> dict[str, Any]:
    """Inclusive and self time per function, and per project layer, from collapsed stacks."""
    total = 0
    inclusive: collections.Counter[str] = collections.Counter()
    self_time: collections.Counter[str] = collections.Counter()
    layers: collections.Counter[str] = collections.Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        if "concurrent/futures/thread.py" in stack and "_worker" in stack and "get (" in stack:
            continue  # an idle thread-pool worker waiting on its queue
        frames = [_frame(f) for f in stack.split(";") if f]
        frames = [f for f in frames if f]
        total += count
        for name in set(frames):
            if not _is_plumbing(name):
                inclusive[name] += count
        self_time[frames[-1]] += count
        layers[_layer(frames)] += count
    busy = max(1, total)

    def table(counter: collections.Counter[str]) -> list[dict[str, Any]]:
        return [
            {"function": name, "samples": n, "share_of_busy": round(n / busy, 3)}
            for name, n in counter.most_common(top)
        ]

    return {
        "samples": total,
        "busy_share": round(total / max(1, expected), 3),
        "top_inclusive": table(inclusive),
        "top_self": table(self_time),
        "layers": table(layers),
    }


def _frame(raw: str) -> str:
    # py-spy raw frames: "function (/full/path/file.py:123)"; keep "function (pkg/file.py)".
    raw = raw.strip()
    if raw.startswith("process ") or raw.startswith("thread "):
        return ""
    name, _, where = raw.partition(" (")
    filename = where.rstrip(")").rsplit(":", 1)[0]
    short = _short_path(filename)
    return f"{name} ({short})" if short else name


def _short_path(filename: str) -> str:
    for marker in ("site-packages/", "/main/pakn/", "/lib/python3.11/"):
        if marker in filename:
            tail = filename.split(marker, 1)[1]
            return ("pakn/" + tail) if marker == "/main/pakn/" else tail
    if "/pakn/" in filename:
        return "pakn/" + filename.split("/pakn/", 1)[1]
    return Path(filename).name


# Frames every sample shares (process start-up, the server loop): no information.
_PLUMBING = (
    "<frozen",
    "runpy",
    "asyncio/runners.py",
    "asyncio/base_events.py",
    "uvicorn/main.py",
    "uvicorn/server.py",
    "uvicorn/_compat.py",
    "pakn/cli.py",
)


def _is_plumbing(frame: str) -> bool:
    where = frame.split(" (", 1)[1] if " (" in frame else frame
    return any(part in where for part in _PLUMBING)


def _layer(frames: list[str]) -> str:
    """Which layer the sample's deepest known frame belongs to."""
    if _is_plumbing(frames[-1]):
        # Time in uvloop's C code (polling, socket I/O, transport writes) is
        # charged to the Python frame that started the loop.
        return "event loop (uvloop C code)"
    for name in reversed(frames):
        where = name.split(" (", 1)[1] if " (" in name else ""
        for prefix, label in (
            ("tortoise/", "tortoise ORM"),
            ("pypika", "pypika (SQL building)"),
            ("asyncpg/", "asyncpg"),
            ("pydantic", "pydantic"),
            ("pakn/", "pakn"),
            ("starlette/", "starlette"),
            ("uvicorn/", "uvicorn"),
            ("json/", "json"),
            ("logging/", "logging"),
            ("asyncio/", "asyncio"),
        ):
            if where.startswith(prefix):
                return label
    return "other"


# --------------------------------------------------------------------------- report


def _code_state() -> dict[str, Any]:
    """Which code was measured: the commit, and whether the work tree differed."""

    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    changed = [line[3:] for line in git("status", "--porcelain").splitlines() if line[3:].startswith("pakn/")]
    return {"commit": git("rev-parse", "--short", "HEAD"), "pakn_files_changed_uncommitted": changed}


def print_table(results: dict[str, dict[str, Any]]) -> None:
    head = (
        f"{'target':<8} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}"
        f" {'cpu ms/req':>10}  cpu cores: server / jobs / postgres / wrk / other / machine"
    )
    print(head)
    print("-" * len(head))
    for name, row in results.items():
        cpu = row["cpu_cores"]
        print(
            f"{name:<8} {row['requests']:>9} {row['rps']:>9.1f} {row['p50_ms']:>8.2f} "
            f"{row['p99_ms']:>8.2f} {row['max_ms']:>8.2f} "
            f"{row['errors']:>7} {row['server_cpu_ms_per_request']:>10.2f}  "
            f"{cpu.get('server', 0):.2f} / {cpu.get('jobs', 0):.2f} / "
            f"{cpu.get('postgres', 0):.2f} / {cpu.get('wrk', 0):.2f} / "
            f"{cpu.get('other', 0):.2f} / {cpu.get('machine', 0):.2f}"
        )
    noisy = [name for name, row in results.items() if row["cpu_cores"].get("other", 0) > 0.25]
    if noisy:
        print(f"warning: other work used > 0.25 core during {', '.join(noisy)}: the figures are disturbed")


def verdicts(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ratio = results["submit"]["rps"] / results["bare"]["rps"]
    varied_ratio = results["varied"]["rps"] / results["bare"]["rps"]
    checks = {
        "ratio_submit_over_bare": round(ratio, 3),
        "ratio_varied_over_bare": round(varied_ratio, 3),
        # The same ratio from server CPU per request, as if each had a core to itself.
        "cpu_ratio_bare_over_submit": round(
            results["bare"]["server_cpu_ms_per_request"] / max(1e-9, results["submit"]["server_cpu_ms_per_request"]), 3
        ),
        "ratio_ok": ratio >= TARGET_RATIO,
        "submit_p99_ok": results["submit"]["p99_ms"] < TARGET_P99_MS,
        "varied_ratio_ok": varied_ratio >= TARGET_RATIO,
        "varied_p99_ok": results["varied"]["p99_ms"] < TARGET_P99_MS,
        "assessment_lag_ok": all(
            results[name]["assessment_lag"].get("p95_s", 0) < TARGET_LAG_S
            and results[name]["assessment_lag"].get("pending_after_wait", 0) == 0
            for name in ("submit", "varied")
        ),
        "track_p99_ok": results["track"]["p99_ms"] < TARGET_P99_MS,
        "errors_ok": all(row["errors"] == 0 for row in results.values()),
    }
    checks["pass"] = all(v for k, v in checks.items() if k.endswith("_ok"))
    return checks


def print_verdicts(v: dict[str, Any], results: dict[str, dict[str, Any]]) -> None:
    def word(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    print()
    print(
        f"ratio submit/bare req/s = {v['ratio_submit_over_bare']:.3f}"
        f"   (target >= {TARGET_RATIO})  {word(v['ratio_ok'])}"
    )
    print(
        f"  (server CPU per request, bare/submit = {v['cpu_ratio_bare_over_submit']:.3f}"
        f": the ratio if CPU alone decided)"
    )
    print(
        f"submit p99 = {results['submit']['p99_ms']:.1f} ms"
        f"   (target < {TARGET_P99_MS:.0f} ms)  {word(v['submit_p99_ok'])}"
    )
    print(
        f"varied: ratio {v['ratio_varied_over_bare']:.3f} {word(v['varied_ratio_ok'])}, "
        f"p99 {results['varied']['p99_ms']:.1f} ms {word(v['varied_p99_ok'])}"
    )
    print(
        f"track  p99 = {results['track']['p99_ms']:.1f} ms"
        f"   (target < {TARGET_P99_MS:.0f} ms)  {word(v['track_p99_ok'])}"
    )
    for name in ("submit", "varied"):
        lag = results[name]["assessment_lag"]
        print(
            f"assessment lag during {name}: p95 {lag.get('p95_s')} s, max {lag.get('max_s')} s, "
            f"backlog cleared {lag.get('backlog_cleared_after_load_s')} s after the load"
            f" (target p95 < {TARGET_LAG_S:.0f} s)"
        )
    print(f"assessment lag: {word(v['assessment_lag_ok'])}")
    print(f"no errors / non-2xx replies: {word(v['errors_ok'])}")
    print(f"overall: {word(v['pass'])}")


def print_profile(profile: dict[str, Any]) -> None:
    print()
    print(
        f"profile of the submit path: {profile['samples']} samples, process busy {profile['busy_share']:.0%} "
        f"at {profile['load_rps']:.0f} req/s under py-spy (stacks: {profile['collapsed']})"
    )
    for title, key in (("by layer (deepest frame)", "layers"), ("inclusive", "top_inclusive"), ("self", "top_self")):
        print(f"  {title}:")
        for row in profile[key]:
            print(f"    {row['share_of_busy']:6.1%}  {row['function']}")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--threads", type=int, default=1, help="wrk threads (default 1: leave the cores to the servers)"
    )
    parser.add_argument("--warmup", type=int, default=15, help="seconds per target, thrown away")
    parser.add_argument("--duration", type=int, default=20, help="measured seconds per target")
    parser.add_argument("--pool-size", type=int, default=10, help="PAKN_DB_POOL_SIZE, and the bare app's pool")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432", help="server, without database")
    parser.add_argument("--database", default="pakn_bench")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--single-process",
        action="store_true",
        help="the embedded layout: `pakn serve` runs the jobs and the assessment itself",
    )
    parser.add_argument("--lag-wait", type=float, default=60, help="seconds to wait for the assessment backlog")
    parser.add_argument(
        "--redis", action="store_true", help="rate-limit counters in Redis (127.0.0.1:6379) instead of memory"
    )
    parser.add_argument(
        "--what-if",
        action="append",
        default=[],
        metavar="NAME",
        help="start both servers with a what-if from bench/whatif.py (e.g. no-pool-reset)",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the submit path afterwards (not measured)")
    parser.add_argument("--profile-seconds", type=int, default=15)
    parser.add_argument("--top", type=int, default=15, help="rows per profile table")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench: needs wrk (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    procs = Procs()

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    workdir = Path(tempfile.mkdtemp(prefix="pakn-bench-"))
    db_dsn = f"{args.pg}/{args.database}"
    admin_dsn = f"{args.pg}/postgres"
    try:
        asyncio.run(recreate_database(admin_dsn, args.database))
        tortoise_url = db_dsn.replace("postgresql://", "postgres://", 1)
        env = {
            **os.environ,
            "PAKN_DATABASE_URL": tortoise_url,
            "PAKN_LOG_LEVEL": "warning",
            "PAKN_SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
            "PAKN_VAR_DIR": str(workdir / "var"),
            "PAKN_MEDIA_DIR": str(workdir / "var" / "media"),
            "PAKN_DB_POOL_SIZE": str(args.pool_size),
            "BENCH_DATABASE_URL": db_dsn,
            "BENCH_POOL_SIZE": str(args.pool_size),
        }
        # The rate limiter stays on, with every ceiling far above the load: its
        # cost is counted, its 429s never happen.
        config = workdir / "pakn.toml"
        ceiling = '"1000000/minute"'
        config.write_text(
            "".join(
                f"[rate_limits.{door}]\nper_device = {ceiling}\nper_address = {ceiling}\noverall = {ceiling}\n"
                for door in ("submit", "lookup")
            )
        )
        config.write_text(config.read_text() + os.environ.get("BENCH_EXTRA_TOML", ""))
        env["PAKN_CONFIG"] = str(config)
        if args.redis:
            env["PAKN_REDIS_URL"] = "redis://127.0.0.1:6379/0"
        print(f"bench: database {args.database} created; migrating", flush=True)
        migrate = subprocess.run(
            [PYTHON, "-m", "pakn.cli", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if migrate.returncode != 0:
            raise SystemExit(f"bench: migrate failed:\n{migrate.stdout}{migrate.stderr}")

        pakn_port, bare_port = free_port(), free_port()
        pakn_log, bare_log = workdir / "pakn.log", workdir / "bare.log"
        if args.what_if:
            env["BENCH_WHATIF"] = ",".join(args.what_if)
            pakn_argv = [PYTHON, str(BENCH / "whatif.py"), "pakn", "serve", "--port", str(pakn_port)]
            bare_argv = [PYTHON, str(BENCH / "whatif.py"), "bare", "--port", str(bare_port)]
        else:
            pakn_argv = [PYTHON, "-m", "pakn.cli", "serve", "--port", str(pakn_port)]
            bare_argv = [PYTHON, str(BENCH / "bare_app.py"), "--port", str(bare_port)]
        jobs_pid = None
        if not args.single_process:
            # As deployed on PostgreSQL: API replicas without jobs, and one
            # `pakn scheduler` that runs the jobs and the triage assessment.
            env["PAKN_SCHEDULER_ENABLED"] = "false"
            jobs = procs.start("jobs", [PYTHON, "-m", "pakn.cli", "scheduler"], env, workdir / "jobs.log")
            jobs_pid = jobs.pid
        pakn = procs.start("pakn", pakn_argv, env, pakn_log)
        bare = procs.start("bare", bare_argv, env, bare_log)
        wait_ready(f"http://127.0.0.1:{pakn_port}/readyz", pakn, pakn_log)
        wait_ready(f"http://127.0.0.1:{bare_port}/readyz", bare, bare_log)
        print(f"bench: pakn on :{pakn_port} (pid {pakn.pid}), bare on :{bare_port} (pid {bare.pid})", flush=True)

        capture = workdir / "codes"
        phases = [
            (Phase("bare", f"http://127.0.0.1:{bare_port}", "post", "/bare/feedback"), bare.pid),
            (Phase("submit", f"http://127.0.0.1:{pakn_port}", "post", "/api/v1/feedback", capture=capture), pakn.pid),
            (Phase("varied", f"http://127.0.0.1:{pakn_port}", "post", "/api/v1/feedback", vary=True), pakn.pid),
            (
                Phase(
                    "track", f"http://127.0.0.1:{pakn_port}", "track", "/api/v1/feedback/", codes=workdir / "codes.txt"
                ),
                pakn.pid,
            ),
        ]
        results: dict[str, dict[str, Any]] = {}
        for phase, pid in phases:
            if phase.mode == "track":
                count = concat_codes(capture, workdir / "codes.txt")
                print(f"bench: {count} tracking codes from submit", flush=True)
                phase.path = "/api/v1/feedback/{code}"
            for label, seconds in (("warmup", args.warmup), ("measured", args.duration)):
                if seconds <= 0:
                    continue
                print(
                    f"bench: {phase.target:<6} {label:<8} {seconds:>3} s x {args.connections} connections", flush=True
                )
                window_start = datetime.now(UTC)
                watch = {"server": pid}
                if jobs_pid is not None and pid == pakn.pid:
                    watch["jobs"] = jobs_pid
                raw = run_wrk(phase, seconds, args, workdir, label, watch)
                if label == "measured":
                    results[phase.target] = figures(raw)
                    results[phase.target]["path"] = phase.path
                    if phase.target in ("submit", "varied"):
                        lag = asyncio.run(assessment_lag(db_dsn, window_start, datetime.now(UTC), args.lag_wait))
                        results[phase.target]["assessment_lag"] = lag
                        print(f"bench: {phase.target:<6} assessment lag {lag}", flush=True)

        print()
        print_table(results)
        verdict = verdicts(results)
        print_verdicts(verdict, results)

        profile = None
        if args.profile:
            print(
                f"\nbench: profiling the submit path with py-spy for {args.profile_seconds} s (not measured)",
                flush=True,
            )
            try:
                profile = profile_submit(args, phases[1][0], pakn.pid, workdir, stamp)
                print_profile(profile)
            except (SystemExit, OSError, subprocess.SubprocessError) as exc:
                # The measured figures stand without the profile.
                print(f"bench: profile failed: {exc}", file=sys.stderr)
                profile = {"error": str(exc)}

        report = {
            "date": stamp,
            "code": _code_state(),
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "postgres": asyncio.run(postgres_facts(db_dsn)),
            },
            "settings": {
                "connections": args.connections,
                "wrk_threads": args.threads,
                "warmup_s": args.warmup,
                "duration_s": args.duration,
                "pool_size": args.pool_size,
                "uvicorn": "one process each, uvloop + httptools, no access log",
                "jobs": "in the server process" if args.single_process else "pakn scheduler, its own process",
                "what_if": args.what_if,
                "rate_limit_counters": "redis" if args.redis else "memory",
            },
            "results": results,
            "verdict": verdict,
            "profile": profile,
        }
        RESULTS.mkdir(exist_ok=True)
        suffix = "".join(f"-{name}" for name in args.what_if)
        out = RESULTS / f"submit-{stamp}{suffix}.json"
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"\nbench: results in {out.relative_to(ROOT)}")
        return 0 if verdict["pass"] else 1
    except KeyboardInterrupt:
        print("\nbench: interrupted; stopping", file=sys.stderr)
        return 130
    finally:
        procs.stop_all()
        if not args.keep_database:
            try:
                asyncio.run(drop_database(admin_dsn, args.database))
            except Exception as exc:  # noqa: BLE001 - teardown reports, never masks
                print(f"bench: could not drop {args.database}: {exc}", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
