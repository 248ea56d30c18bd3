"""Which pool gives memory back: `inspect_upload` on big PNGs, in one process, four ways.

    .venv/bin/python bench/upload_pool_compare.py        # about a minute

Each variant runs in a fresh Python process of its own (so that none inherits
another's heap): it draws `--images` PNGs of `--megapixels`, reads its RSS,
cleans every PNG `--rounds` times on a pool of `--workers`, and reads RSS at the
peak and `--after` seconds later. RSS is summed over the process and everything
under it; PSS too, because forked workers share pages with their parent.

    thread          a ThreadPoolExecutor, as anyio's to_thread did
    thread+trim     the same, malloc_trim(0) after each file (pakn/attachments/budget.py)
    process         a ProcessPoolExecutor (forkserver) whose workers live on
    process+trim    the same, the workers trimming after each file

(`max_tasks_per_child`, which would recycle the workers, hangs the pool on
Python 3.11: CPython gh-115634.) Figures and the decision: bench/README.md,
"Upload memory".
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from upload_memory_bench import draw_png, process_tree, rss_mb  # noqa: E402  (bench/ is not a package)

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ("thread", "thread+trim", "process", "process+trim")


def pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def memory() -> tuple[float, float, int]:
    tree = process_tree(os.getpid())
    return sum(rss_mb(pid) for pid in tree), sum(pss_mb(pid) for pid in tree), len(tree)


def executor(variant: str, workers: int) -> Executor:
    if variant.startswith("thread"):
        return ThreadPoolExecutor(workers)
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))


def job(variant: str) -> Callable[..., object]:
    from pakn.attachments.budget import clean_and_trim
    from pakn.attachments.inspect import inspect_upload

    return clean_and_trim if variant.endswith("+trim") else inspect_upload


def one_variant(args: argparse.Namespace) -> dict[str, object]:
    """Runs in its own process (`--variant`)."""
    from pakn.attachments.budget import trim_heap
    from pakn.settings import Limits

    limits = Limits()
    images = [draw_png(args.megapixels, seed) for seed in range(args.images)]
    trim_heap()  # drawing's garbage is not what is measured
    baseline = memory()
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], memory())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    pool = executor(args.variant, args.workers)
    work = job(args.variant)
    futures = [pool.submit(work, data, f"{n}.png", "f", limits) for n, data in enumerate(images * args.rounds)]
    for future in futures:
        future.result()
    wall = time.monotonic() - started
    del futures
    time.sleep(args.after)
    done.set()
    sampler.join()
    after = memory()
    pool.shutdown()
    return {
        "variant": args.variant,
        "files": len(images) * args.rounds,
        "wall_s": round(wall, 1),
        "baseline_rss_mb": round(baseline[0]),
        "peak_rss_mb": round(peak[0][0]),
        "after_rss_mb": round(after[0]),
        "after_pss_mb": round(after[1]),
        "after_processes": after[2],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", choices=VARIANTS, help="run one variant here (used by the driver)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--images", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--megapixels", type=float, default=40.0)
    parser.add_argument("--after", type=float, default=10.0)
    args = parser.parse_args(argv)
    if args.variant:
        print(json.dumps(one_variant(args)))
        return 0
    common = [f"--{name}={getattr(args, name)}" for name in ("workers", "images", "rounds", "megapixels", "after")]
    print(
        f"{'variant':<13} {'files':>5} {'wall s':>7} {'baseline':>9}"
        f" {'peak':>6} {'after':>6} {'after PSS':>9}  processes"
    )
    for variant in VARIANTS:
        done = subprocess.run(
            [sys.executable, __file__, f"--variant={variant}", *common], cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode != 0:
            print(f"{variant}: failed\n{done.stderr[-2000:]}")
            return 1
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{variant:<13} {row['files']:>5} {row['wall_s']:>7} {row['baseline_rss_mb']:>6} MB {row['peak_rss_mb']:>6}"
            f" {row['after_rss_mb']:>6} {row['after_pss_mb']:>9}  {row['after_processes']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
