"""Start a benchmark server with a what-if applied, to size a suggestion before
anyone changes the service. Used by `submit_bench.py --what-if NAME`; the
service's code is not touched, the patch lives in this process only.

    python bench/whatif.py pakn serve --port 8000   # like `python -m pakn.cli serve`
    python bench/whatif.py bare --port 8001         # like `python bench/bare_app.py`

BENCH_WHATIF (comma-separated) names the what-ifs:

no-pool-reset  asyncpg runs its reset query (SELECT pg_advisory_unlock_all();
               CLOSE ALL; UNLISTEN *; RESET ALL;) each time a connection goes
               back to the pool, one extra round trip per ORM query outside a
               transaction. This makes Connection.get_reset_query() return ""
               (the service could do the same with a `connection_class` in its
               Tortoise credentials). Applied to both servers, for fairness.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

WHATIFS = ("no-pool-reset",)


def apply(names: list[str]) -> None:
    unknown = sorted(set(names) - set(WHATIFS))
    if unknown:
        raise SystemExit(f"whatif: unknown {unknown}; known: {list(WHATIFS)}")
    if "no-pool-reset" in names:
        import asyncpg.connection

        asyncpg.connection.Connection.get_reset_query = lambda self: ""  # type: ignore[method-assign]


def main() -> int:
    apply([name for name in os.environ.get("BENCH_WHATIF", "").split(",") if name])
    target, argv = sys.argv[1], sys.argv[2:]
    if target == "pakn":
        from pakn.cli import main as pakn_main

        return pakn_main(argv)
    if target == "bare":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import bare_app

        sys.argv = ["bare_app.py", *argv]
        bare_app.main()
        return 0
    raise SystemExit(f"whatif: unknown target {target!r} (pakn | bare)")


if __name__ == "__main__":
    raise SystemExit(main())
