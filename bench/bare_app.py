"""The yardstick for the submission benchmark: a bare Starlette app whose one
POST endpoint does one raw asyncpg INSERT from a pool.

No middleware, no validation beyond `json.loads`, no ORM, no transaction block
(the INSERT commits on its own). It is what "accepting a report" costs with
nothing but the framework, the driver and one durable write, so the ratio
submission / bare tells how much the service's own layers cost.

Run by bench/submit_bench.py; by hand:

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pakn_bench \\
        .venv/bin/python bench/bare_app.py --port 8001
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncpg
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/pakn_bench")
POOL_SIZE = int(os.environ.get("BENCH_POOL_SIZE", "10"))

SCHEMA = """
CREATE TABLE IF NOT EXISTS bench_feedback (
    id BIGSERIAL PRIMARY KEY,
    idempotency_key VARCHAR(255) NOT NULL UNIQUE,
    title VARCHAR(200) NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
)
"""

INSERT = """
INSERT INTO bench_feedback (idempotency_key, title, content, created_at)
VALUES ($1, $2, $3, $4) RETURNING id
"""


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # Same pool bounds as Tortoise's asyncpg client for PAKN_DB_POOL_SIZE.
    pool = await asyncpg.create_pool(DATABASE_URL, min_size=1, max_size=POOL_SIZE)
    async with pool.acquire() as connection:
        await connection.execute(SCHEMA)
    app.state.pool = pool
    try:
        yield
    finally:
        await pool.close()


async def create(request: Request) -> Response:
    body = json.loads(await request.body())
    key = request.headers.get("idempotency-key") or os.urandom(16).hex()
    now = datetime.now(UTC)
    row_id = await request.app.state.pool.fetchval(INSERT, key, body.get("title", ""), body["content"], now)
    return JSONResponse({"id": row_id, "created_at": now.isoformat()}, status_code=201)


async def ready(request: Request) -> Response:
    await request.app.state.pool.fetchval("SELECT 1")
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[Route("/bare/feedback", create, methods=["POST"]), Route("/readyz", ready, methods=["GET"])],
    lifespan=lifespan,
)


def main() -> None:
    parser = argparse.ArgumentParser(description="bare Starlette + asyncpg INSERT endpoint")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    # The same uvicorn settings as `pakn serve` (pakn/cli.py): one process,
    # default loop and HTTP parser (uvloop, httptools), no access log.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=15,
        proxy_headers=True,
        server_header=False,
    )


if __name__ == "__main__":
    main()
