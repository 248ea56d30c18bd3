"""Open311 client keys: issued (shown once) and revoked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from pakn.accounts import (
    api_client_by_id,
    create_api_client,
    list_api_clients,
    revoke_api_client,
)
from pakn.console.pages import redirect, render
from pakn.console.session import posted, staff_page
from pakn.core.deps import now_of, settings_of
from pakn.core.problems import Problem
from pakn.domain.roles import Role

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import StaffUser
from pakn.console.admin.forms import Failure, done_message, shown_on_form, text

KEYS = "/console/admin/keys"


async def keys_form(
    request: Request, status: int = 200, failure: Failure | None = None, name: str = "", key: str | None = None
) -> Response:
    """The clients; after issuing one, its key, shown this once (never stored but hashed)."""
    return render(
        request,
        "admin_keys.html",
        failure.status if failure else status,
        clients=await list_api_clients(),
        failure=failure,
        name=name,
        key=key,
        done=done_message(request),
        tz=settings_of(request).tz,
    )


@staff_page(Role.ADMIN)
async def keys_page(request: Request, user: StaffUser) -> Response:
    return await keys_form(request)


@staff_page(Role.ADMIN)
async def create_key(request: Request, user: StaffUser) -> Response:
    """Answered with the page itself (201), not a redirect: the key must not
    travel in an address nor be kept anywhere to show it after one."""
    name = text(posted(request), "name")
    try:
        client, key = await create_api_client(name, now_of(request))
    except Problem as problem:
        return await keys_form(request, failure=shown_on_form(problem, request), name=name)
    return await keys_form(request, 201, name=client.name, key=key)


@staff_page(Role.ADMIN)
async def revoke_key(request: Request, user: StaffUser) -> Response:
    client = await api_client_by_id(request.path_params["client_id"])
    await revoke_api_client(client, now_of(request))
    return redirect(request, f"{KEYS}?done=key-revoked")
