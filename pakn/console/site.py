"""Every console route, for create_app to mount beside the API."""

from __future__ import annotations

from starlette.routing import BaseRoute

from pakn.console import (
    admin,
    bulk,
    figures,
    public,
    public_form,
    public_track,
    queue,
    report,
    sign_in,
    static_files,
    switch,
    web_push,
)

routes: list[BaseRoute] = [
    *sign_in.routes,
    *queue.routes,
    *report.routes,
    *bulk.routes,
    *figures.routes,
    *admin.routes,
    *public.routes,
    *public_form.routes,
    *public_track.routes,
    *switch.routes,
    *static_files.routes,
    *web_push.routes,
]
