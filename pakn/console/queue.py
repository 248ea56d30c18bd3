"""The queue in the browser: the API's filters, search and cursor pages,
the counts per status, urgent and overdue reports marked."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import service as accounts
from pakn.console.language import language_of, translated
from pakn.console.pages import render
from pakn.console.session import staff_page
from pakn.core.deps import now_of, settings_of
from pakn.core.pagination import parse_limit
from pakn.core.query import read_query
from pakn.domain.channels import CHANNEL_LABELS
from pakn.domain.roles import Role
from pakn.domain.status import HANDLED, STAFF_LABELS, Status
from pakn.reference import service as reference
from pakn.workflow import PAGE_DEFAULT, PAGE_MAX, PageRequest, QueueParams, count_by_status, list_queue

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import StaffUser

READERS = (Role.COORDINATOR, Role.HANDLER, Role.VIEWER, Role.ADMIN)


@staff_page(*READERS)
async def queue_page(request: Request, user: StaffUser) -> Response:
    params = read_query(request, QueueParams)
    limit = parse_limit(params.limit, PAGE_DEFAULT, PAGE_MAX)
    now, tz = now_of(request), settings_of(request).tz
    result = await list_queue(user, params, PageRequest(params.cursor, limit), now, tz)
    counts = await count_by_status(user, params, now, tz)
    lang = language_of(request)
    kept = [(key, value) for key, value in request.query_params.multi_items() if key != "cursor" and value]
    next_url = f"/console?{urlencode([*kept, ('cursor', result.next_cursor)])}" if result.next_cursor else None
    return render(
        request,
        "queue.html",
        items=result.items,
        counts=counts,
        params=params,
        next_url=next_url,
        now=now,
        tz=tz,
        handled=HANDLED,
        statuses=list(Status),
        labels={status: lang.pick(*STAFF_LABELS[status]) for status in Status},
        channels=translated(CHANNEL_LABELS, lang),
        categories=await reference.list_categories(),
        can_bulk=user.role in (Role.COORDINATOR, Role.ADMIN),
        agencies=await accounts.list_agencies(),
    )


routes = [Route("/console", queue_page, methods=["GET"], name="console_queue")]
