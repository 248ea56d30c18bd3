"""The ASGI application: routes, middleware, errors and the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pakn import __version__
from pakn.attachments.storage import LocalStorage
from pakn.core.errors import EXCEPTION_HANDLERS
from pakn.core.observability import RequestContextMiddleware
from pakn.core.openapi import build_spec
from pakn.db import close_database, open_database
from pakn.accounts import endpoints as accounts
from pakn.accounts.service import sync_agencies
from pakn.health import endpoints as health
from pakn.reference import endpoints as reference
from pakn.reference.service import seed_admin_units, sync_categories
from pakn.settings import Settings
from pakn.submission import endpoints as submission
from pakn.triage import endpoints as triage
from pakn.triage import queue_endpoints as queue


def api_routes() -> list[BaseRoute]:
    return [
        *health.routes,
        *reference.routes,
        *submission.routes,
        *accounts.routes,
        *queue.routes,
        *triage.routes,
    ]


async def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


def create_app(settings: Settings, *, manage_database: bool = True) -> Starlette:
    """The app for these settings. With `manage_database=False` the caller has
    opened the database already (tests, the scheduler process)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await open_database(settings)
        try:
            await sync_categories(list(settings.categories))
            await seed_admin_units(list(settings.admin_units.provinces))
            await sync_agencies(list(settings.agencies), datetime.now(settings.tz))
            yield
        finally:
            if manage_database:
                await close_database()

    routes = [*api_routes(), Route("/openapi.json", openapi, methods=["GET"])]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestContextMiddleware)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.storage = LocalStorage(settings.media_dir)
    app.state.server_key = settings.resolved_secret_key()
    app.state.openapi = build_spec(routes, "PAKN API", __version__)
    return app
