"""Agencies: code, name and the addresses of the weekly report; an agency
with open reports stays active (the accounts service decides)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from pakn.accounts import (
    AgencyCreate,
    AgencyUpdate,
    agency_view,
    service,
)
from pakn.console.pages import redirect, render
from pakn.console.session import posted, staff_page
from pakn.core.deps import now_of, settings_of
from pakn.core.problems import Problem, not_found
from pakn.core.validation import parse_model
from pakn.domain.roles import Role

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import StaffUser
from pakn.console.admin.forms import Failure, done_message, shown_on_form, text

AGENCIES = "/console/admin/agencies"


def agency_code(request: Request) -> str:
    code: str = request.path_params["code"]
    if len(code) > 64:  # longer than any code, as the API: no such agency
        raise not_found()
    return code


def emails_of(form: FormData) -> list[str]:
    """The weekly report's addresses, one a line (commas and semicolons too)."""
    raw = text(form, "emails").replace(",", "\n").replace(";", "\n")
    return [line.strip() for line in raw.splitlines() if line.strip()]


async def agencies_form(
    request: Request,
    editing: str | None = None,
    failure: Failure | None = None,
    values: dict[str, Any] | None = None,
    edit_values: dict[str, Any] | None = None,
) -> Response:
    tz = settings_of(request).tz
    agencies = [agency_view(agency, tz) for agency in await service.list_agencies(include_inactive=True)]
    chosen = await service.get_agency(editing) if editing else None
    edited = agency_view(chosen, tz) if chosen else None
    return render(
        request,
        "admin_agencies.html",
        failure.status if failure else 200,
        agencies=agencies,
        editing=edited,
        values=values or {"code": "", "name": "", "emails": []},
        edit_values=edit_values or (edited.model_dump(mode="json") if edited else {}),
        failure=failure,
        failed_form="edit" if edit_values or (failure and editing) else "create",
        done=done_message(request),
        tz=tz,
    )


@staff_page(Role.ADMIN)
async def agencies_page(request: Request, user: StaffUser) -> Response:
    return await agencies_form(request)


@staff_page(Role.ADMIN)
async def agency_page(request: Request, user: StaffUser) -> Response:
    return await agencies_form(request, editing=agency_code(request))


@staff_page(Role.ADMIN)
async def create_agency(request: Request, user: StaffUser) -> Response:
    form = posted(request)
    data = {"code": text(form, "code").strip(), "name": text(form, "name"), "emails": emails_of(form)}
    try:
        created = await service.create_agency(parse_model(AgencyCreate, data), now_of(request))
    except Problem as problem:
        return await agencies_form(request, failure=shown_on_form(problem, request), values=data)
    return redirect(request, f"{AGENCIES}/{created.code}?done=agency-created")


@staff_page(Role.ADMIN)
async def update_agency(request: Request, user: StaffUser) -> Response:
    code, form = agency_code(request), posted(request)
    data = {"name": text(form, "name"), "emails": emails_of(form)}
    try:
        await service.update_agency(code, parse_model(AgencyUpdate, data), now_of(request))
    except Problem as problem:
        return await agencies_form(request, code, shown_on_form(problem, request), edit_values=data)
    return redirect(request, f"{AGENCIES}/{code}?done=agency-updated")


@staff_page(Role.ADMIN)
async def deactivate_agency(request: Request, user: StaffUser) -> Response:
    code = agency_code(request)
    try:
        await service.deactivate_agency(code, now_of(request))
    except Problem as problem:  # open reports: 409, with how many
        return await agencies_form(request, code, shown_on_form(problem, request))
    return redirect(request, f"{AGENCIES}/{code}?done=agency-deactivated")


@staff_page(Role.ADMIN)
async def activate_agency(request: Request, user: StaffUser) -> Response:
    code = agency_code(request)
    await service.update_agency(code, AgencyUpdate(is_active=True), now_of(request))
    return redirect(request, f"{AGENCIES}/{code}?done=agency-activated")


# Open311 client keys
