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
from pakn.accounts.service import sync_agencies
from pakn.api import accounts, devices, health, queue, reference, stats, submission
from pakn.api import workflow as triage
from pakn.attachments import LocalStorage, upload_budget
from pakn.console.site import routes as console_routes
from pakn.core import context
from pakn.core.errors import EXCEPTION_HANDLERS
from pakn.core.observability import RequestContextMiddleware
from pakn.core.openapi import build_spec
from pakn.core.ratelimit import Limiter
from pakn.db import close_database, open_database
from pakn.deadlines.service import current_policy
from pakn.intelligence import current_engine
from pakn.open311 import admin as open311_admin
from pakn.open311 import endpoints as open311
from pakn.reference.service import seed_admin_units, sync_categories
from pakn.scheduler.runner import running_jobs, sync_calendar
from pakn.settings import Settings


def api_routes() -> list[BaseRoute]:
    return [
        *health.routes,
        *reference.routes,
        *submission.routes,
        *devices.routes,
        *accounts.routes,
        *queue.routes,
        *triage.routes,
        *stats.routes,
        *open311_admin.routes,
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
            await sync_calendar(settings)
            async with (
                upload_budget(settings.limits) as budget,  # its pool stops with the app
                running_jobs(settings) as scheduler,  # None when scheduler_enabled is off
            ):
                app.state.upload_budget = budget
                app.state.scheduler = scheduler
                yield
        finally:
            await app.state.rate_limiter.close()  # its Redis connections, if any
            if manage_database:
                await close_database()

    # Open311 is outside the OpenAPI document: it is described by its own standard and
    # discovery, which the document's externalDocs point to.
    api = [*api_routes(), Route("/openapi.json", openapi, methods=["GET"]), open311.mount]
    routes = [*api, *console_routes]  # the console's pages are not part of the API document
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestContextMiddleware)],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    # Jobs, deadline hooks, the assessment and the mail sender of this process read these;
    # the policy and the engine are built now, so a bad calendar or rules file stops start-up.
    context.install(settings)
    current_policy()
    current_engine()
    app.state.storage = LocalStorage(settings.media_dir)
    app.state.server_key = settings.resolved_secret_key()
    app.state.rate_limiter = Limiter.from_settings(settings)  # memory, or Redis with PAKN_REDIS_URL
    # The running limits: page sizes and key lengths in the document are the enforced ones.
    app.state.openapi = build_spec(api, "PAKN API", __version__, settings.limits)
    return app
