"""The console's own CSS, scripts and vendored libraries, under /static: cached
by browsers for a day (and revalidated by ETag), never sniffed as another type."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

DIRECTORY = Path(__file__).parent / "static"
MAX_AGE = 86_400


class CachedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


routes = [Mount("/static", app=CachedStaticFiles(directory=DIRECTORY), name="static")]
