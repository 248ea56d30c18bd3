"""Upload memory benchmark: the image-bomb case against `pakn serve` on SQLite.

    .venv/bin/python bench/upload_memory_bench.py                  # this checkout, about a minute
    .venv/bin/python bench/upload_memory_bench.py --source DIR     # another checkout, e.g. the old code:
        git archive HEAD | tar -x -C /tmp/pakn-before &&
            .venv/bin/python bench/upload_memory_bench.py --source /tmp/pakn-before

What it does, in one run:

1. draws `--images` PNGs of `--megapixels` each with Pillow in a temporary folder
   (a gradient with shapes: under 1 MB on the wire, 160 MB of pixels decoded);
2. starts `python -m pakn.cli serve` from the checkout on a free port, SQLite and
   var/ in the same temporary folder, the scheduler off;
3. sends one small photo as a warm-up, waits, and reads the baseline RSS;
4. the burst: `--requests` multipart submissions at once, each with all the PNGs;
5. samples VmRSS of the server and of every process under it every 50 ms, until
   `--after` seconds past the last reply;
6. prints baseline, peak and after-burst RSS, wall time, latencies and status codes,
   and writes them to bench/results/upload-memory-<UTC time>.json.

Exit 1 when a reply is neither 201 nor the intended 503 with Retry-After. Every
process it starts is ended on the way out, on failure and on Ctrl-C too.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import io
import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from submit_bench import free_port, wait_ready  # noqa: E402  (bench/ is not a package)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PAYLOAD = {
    "title": "Cây đổ chắn ngang đường",
    "content": "Cây xanh bật gốc sau bão, chắn ngang đường Trần Hưng Đạo, xe máy không đi được.",
    "category": "giao-thong",
    "location": {"lat": 21.0245, "lon": 105.8412},
}


# --------------------------------------------------------------------------- the server


def start_server(argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as handle:
        # A session of its own, so that stop_server ends it and anything it started.
        return subprocess.Popen(argv, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def stop_server(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# --------------------------------------------------------------------------- images


def draw_png(megapixels: float, seed: int) -> bytes:
    """A 4:3 picture of at most `megapixels`, compressible like a screenshot."""
    width = round(math.sqrt(megapixels * 1e6 * 4 / 3))
    height = int(megapixels * 1e6 // width)
    rng = random.Random(seed)
    ramp = Image.linear_gradient("L").resize((width, height))
    img = Image.merge(
        "RGB", (ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM))
    )
    pen = ImageDraw.Draw(img)
    for _ in range(300):
        x, y = rng.randrange(width), rng.randrange(height)
        pen.ellipse((x, y, x + rng.randrange(50, 800), y + rng.randrange(50, 800)), fill=(rng.randrange(256),) * 3)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 120, 200)).save(out, "JPEG", quality=85)
    return out.getvalue()


# --------------------------------------------------------------------------- memory


def _parents() -> dict[int, int]:
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    return found


def process_tree(root: int) -> list[int]:
    """`root` and every process under it (a process pool's workers, if any)."""
    parents = _parents()
    tree = [root]
    for pid in tree:
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Sampler:
    """VmRSS of a process tree every `interval` seconds, on a thread of its own."""

    root: int
    interval: float = 0.05
    samples: list[tuple[float, float, int]] = field(default_factory=list)  # (t, MB, processes)
    _stop: threading.Event = field(default_factory=threading.Event)

    def now(self) -> tuple[float, int]:
        tree = process_tree(self.root)
        return sum(rss_mb(pid) for pid in tree), len(tree)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            mb, count = self.now()
            self.samples.append((time.monotonic(), mb, count))
            time.sleep(self.interval)

    def peak(self) -> tuple[float, int]:
        _, mb, count = max(self.samples, key=lambda sample: sample[1])
        return mb, count


# --------------------------------------------------------------------------- load


@dataclass
class Reply:
    status: int
    retry_after: str | None
    seconds: float
    slug: str | None


async def submit(http: httpx.AsyncClient, files: list[tuple[str, bytes]]) -> Reply:
    started = time.monotonic()
    response = await http.post(
        "/api/v1/feedback",
        headers={"Idempotency-Key": str(uuid.uuid4())},  # the mobile channel, as the app sends it
        data={"payload": json.dumps(PAYLOAD, ensure_ascii=False)},
        files=[("attachments", (name, content, "image/png")) for name, content in files],
    )
    slug = None
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        slug = response.json().get("type", "").rsplit("/", 1)[-1]
    return Reply(response.status_code, response.headers.get("retry-after"), time.monotonic() - started, slug)


async def burst(base_url: str, requests: int, files: list[tuple[str, bytes]]) -> list[Reply]:
    limits = httpx.Limits(max_connections=requests)
    async with httpx.AsyncClient(base_url=base_url, timeout=600, limits=limits) as http:
        return list(await asyncio.gather(*(submit(http, files) for _ in range(requests))))


async def warm_up(base_url: str) -> int:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        reply = await submit(http, [("warm-up.jpg", small_jpeg())])
        return reply.status


# --------------------------------------------------------------------------- run


def server_env(workdir: Path, source: Path, limits: list[str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAKN_")}
    env.update(
        PYTHONPATH=str(source),
        PAKN_DATABASE_URL=f"sqlite://{workdir}/pakn.sqlite3",
        PAKN_VAR_DIR=str(workdir / "var"),
        PAKN_MEDIA_DIR=str(workdir / "var" / "media"),
        PAKN_SECRET_KEY="bench-secret-key-not-for-production-0123456789",
        PAKN_LOG_LEVEL="warning",
        PAKN_SCHEDULER_ENABLED="false",
    )
    if limits:
        override = workdir / "limits.toml"
        override.write_text("[limits]\n" + "".join(f"{item.replace('=', ' = ', 1)}\n" for item in limits))
        env["PAKN_CONFIG"] = str(override)
    return env


def measured_code(source: Path, env: dict[str, str]) -> str:
    """Which `pakn` the server imports, so that --source is known to work."""
    done = subprocess.run(
        [PYTHON, "-c", "import pakn; print(pakn.__file__)"], cwd=source, env=env, capture_output=True, text=True
    )
    return done.stdout.strip()


def run(args: argparse.Namespace, workdir: Path, servers: list[subprocess.Popen[bytes]]) -> dict[str, Any]:
    print(f"bench: drawing {args.images} PNGs of {args.megapixels} Mpx", flush=True)
    files = [(f"anh-{n}.png", draw_png(args.megapixels, seed=n)) for n in range(args.images)]
    source = Path(args.source).resolve()
    env = server_env(workdir, source, args.limit)
    port = free_port()
    log = workdir / "pakn.log"
    server = start_server([PYTHON, "-m", "pakn.cli", "serve", "--port", str(port)], env, source, log)
    servers.append(server)
    base_url = f"http://127.0.0.1:{port}"
    wait_ready(f"{base_url}/readyz", server, log)
    print(f"bench: pakn from {measured_code(source, env)} on :{port} (pid {server.pid})", flush=True)
    warm = asyncio.run(warm_up(base_url))
    if warm != 201:
        raise SystemExit(f"bench: the warm-up submission got {warm}, not 201:\n{log.read_text()[-3000:]}")
    time.sleep(2)
    sampler = Sampler(server.pid)
    baseline, _ = sampler.now()
    sampler.start()
    print(
        f"bench: warm-up {warm}; baseline {baseline:.0f} MB"
        f"; {args.requests} submissions x {args.images} images at once",
        flush=True,
    )
    started = time.monotonic()
    replies = asyncio.run(burst(base_url, args.requests, files))
    wall = time.monotonic() - started
    time.sleep(args.after)
    sampler.stop()
    after, processes = sampler.now()
    peak, peak_processes = sampler.peak()
    return {
        "source": str(source),
        "images_per_request": args.images,
        "megapixels": args.megapixels,
        "png_bytes": [len(content) for _, content in files],
        "requests": args.requests,
        "limits": args.limit,
        "warm_up_status": warm,
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(peak, 1),
        "peak_processes": peak_processes,
        "after_rss_mb": round(after, 1),
        "after_seconds": args.after,
        "after_processes": processes,
        "wall_s": round(wall, 2),
        "statuses": dict(collections.Counter(str(reply.status) for reply in replies)),
        "replies": [reply.__dict__ for reply in replies],
        "unexpected": [reply.__dict__ for reply in replies if not acceptable(reply)],
    }


def acceptable(reply: Reply) -> bool:
    return reply.status == 201 or (reply.status == 503 and bool(reply.retry_after))


def report(result: dict[str, Any]) -> None:
    print()
    print(f"source          {result['source']}")
    print(
        f"burst           {result['requests']} submissions x {result['images_per_request']} PNGs of "
        f"{result['megapixels']} Mpx ({max(result['png_bytes']) / 1e6:.1f} MB each at most)"
    )
    print(f"baseline RSS    {result['baseline_rss_mb']:.0f} MB")
    print(f"peak RSS        {result['peak_rss_mb']:.0f} MB ({result['peak_processes']} process(es))")
    print(f"RSS {result['after_seconds']:.0f} s after  {result['after_rss_mb']:.0f} MB")
    print(f"wall time       {result['wall_s']:.1f} s")
    for reply in result["replies"]:
        extra = f", Retry-After {reply['retry_after']}" if reply["retry_after"] else ""
        print(f"  {reply['status']} {reply['slug'] or ''} in {reply['seconds']:.1f} s{extra}")
    print(f"statuses        {result['statuses']}")
    if result["unexpected"]:
        print(f"UNEXPECTED replies: {result['unexpected']}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=str(ROOT), help="checkout to serve from (default: this one)")
    parser.add_argument("--requests", type=int, default=4, help="submissions sent at once")
    parser.add_argument("--images", type=int, default=5, help="PNGs per submission")
    parser.add_argument("--megapixels", type=float, default=40.0, help="pixels per PNG, in millions")
    parser.add_argument("--after", type=float, default=10.0, help="seconds to watch after the last reply")
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a [limits] setting for the server, e.g. image_workers=1 (repeatable)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    servers: list[subprocess.Popen[bytes]] = []

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    with tempfile.TemporaryDirectory(prefix="pakn-upload-bench-") as tmp:
        try:
            result = run(args, Path(tmp), servers)
        finally:
            for server in servers:
                stop_server(server)
    report(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"upload-memory-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"results         {out}")
    return 1 if result["unexpected"] else 0


if __name__ == "__main__":
    sys.exit(main())
