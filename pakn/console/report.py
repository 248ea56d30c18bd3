"""One report in the console: everything the staff API shows, its photos and
map, and a form for each move this reader may make.

The page is built from the API's own view (`staff_view`), and every form is
parsed into the API's own commands (`ActionRequest`) and goes through the one
engine (`service.perform`) with the version the page was read at: a change
made meanwhile by someone else is a 412, shown with the fresh report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import can_see
from pakn.accounts import service as accounts
from pakn.attachments import file_response, storage_of
from pakn.console.labels import (
    ACTION_LABELS,
    DEADLINE_STATES,
    EVENT_LABELS,
    PRIORITIES,
    REJECT_REASONS,
    suggestion_reason,
)
from pakn.console.language import Language, language_of, translated
from pakn.console.pages import redirect, render
from pakn.console.queue import READERS
from pakn.console.session import posted, staff_page
from pakn.core.deps import now_of, settings_of
from pakn.core.problems import Problem
from pakn.core.validation import parse_tagged
from pakn.domain.channels import CHANNEL_LABELS
from pakn.domain.roles import Role
from pakn.domain.status import STAFF_LABELS, Status
from pakn.domain.workflow import Action
from pakn.reference import service as reference
from pakn.submission import attachment_of
from pakn.workflow import ActionRequest, event_view, service

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import Attachment, Feedback, StaffUser

ACTORS = (Role.COORDINATOR, Role.HANDLER, Role.ADMIN)
EVENTS_SHOWN = 500
# Refusals shown on the report itself, the form kept; anything else (404) is an error page.
SHOWN_ON_PAGE = frozenset({403, 409, 412, 422})
FORM_META = frozenset({"csrf", "action", "version", "confirm", "ids"})
OPTIONAL_WHEN_EMPTY = frozenset({"category", "priority", "urgent"})
MAX_ID_DIGITS = 18


@dataclass
class Failure:
    """A refused form: its action, what was typed, and why (kept on the page)."""

    action: str
    values: dict[str, str]
    problem: Problem
    field_errors: dict[str, str] = field(default_factory=dict)
    other_errors: list[str] = field(default_factory=list)


def typed_values(form: FormData) -> dict[str, str]:
    """The fields a form sent for its command (not the CSRF token, version...)."""
    return {name: value for name, value in form.items() if name not in FORM_META and isinstance(value, str)}


def local_instant(raw: str, tz: ZoneInfo) -> str:
    """A `datetime-local` value read in the office's time zone, as the ISO instant the command wants."""
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return raw  # the command's own message says what is wanted
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).isoformat()


def form_value(name: str, raw: str, tz: ZoneInfo) -> object:
    if name in ("duplicate_of",) and raw.strip().isdigit() and len(raw.strip()) <= MAX_ID_DIGITS:
        return int(raw.strip())
    if name == "urgent":
        return {"true": True, "false": False}.get(raw, raw)
    if name == "deadline":
        return local_instant(raw, tz)
    return raw


def command_data(action: str, values: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    """The JSON the API would be sent for this form: an optional field left
    empty is absent; ids, yes/no and local times become what the command reads."""
    data: dict[str, Any] = {"action": action}
    for name, raw in values.items():
        if name in OPTIONAL_WHEN_EMPTY and raw == "":
            continue
        data[name] = form_value(name, raw, tz)
    return data


def failure_of(action: str, values: dict[str, str], problem: Problem, lang: Language) -> Failure:
    failure = Failure(action, values, problem)
    for error in problem.errors:
        message = lang.pick(error.message_vi, error.message_en)
        if error.field in values:
            failure.field_errors.setdefault(error.field, message)
        else:
            failure.other_errors.append(f"{error.field}: {message}")
    return failure


def file_url(item: Feedback, attachment: Attachment) -> str:
    return f"/console/reports/{item.id}/files/{attachment.id}"


async def report_context(request: Request, feedback: Feedback, user: StaffUser) -> dict[str, Any]:
    """What the page shows: the API's staff view, the history, the names of
    codes in the reader's language."""
    settings, now, lang = settings_of(request), now_of(request), language_of(request)
    view = await service.staff_detail(
        feedback,
        user,
        tz=settings.tz,
        review_required=settings.workflow.review_required,
        attachment_url=file_url,
        now=now,
    )
    events = await service.events_after(feedback.id, None, EVENTS_SHOWN + 1)
    categories = await reference.list_categories(active_only=False)
    agencies = await accounts.list_agencies(include_inactive=True)
    return {
        "view": view,
        "events": [event_view(event, settings.tz) for event in events[:EVENTS_SHOWN]],
        "more_events": len(events) > EVENTS_SHOWN,
        "status_label": lang.pick(*STAFF_LABELS[Status(view.status)]),
        "status_labels": {status.value: lang.pick(*pair) for status, pair in STAFF_LABELS.items()},
        "categories": [category for category in categories if category.is_active],
        "category_names": {category.code: lang.pick(category.name_vi, category.name_en) for category in categories},
        "agencies": [agency for agency in agencies if agency.is_active],
        "agency_names": {agency.code: agency.name for agency in agencies},
        "channels": {channel.value: lang.gettext(label) for channel, label in CHANNEL_LABELS.items()},
        "action_labels": {action.value: lang.gettext(label) for action, label in ACTION_LABELS.items()},
        "event_labels": translated(EVENT_LABELS, lang),
        "reject_reasons": translated(REJECT_REASONS, lang),
        "priorities": translated(PRIORITIES, lang),
        "deadline_states": translated(DEADLINE_STATES, lang),
        "reasons": [suggestion_reason(item.reason, lang) for item in view.suggestions.categories]
        if view.suggestions
        else [],
        # Stored since urgency reasons were kept; the danger words alone before.
        "urgency_reason": suggestion_reason(urgency.reason or ", ".join(urgency.words), lang)
        if view.suggestions and (urgency := view.suggestions.urgency)
        else "",
        "tz": settings.tz,
        "console": settings.console,
        "can_act": user.role in ACTORS,
    }


async def report_reply(
    request: Request, feedback_id: int, user: StaffUser, status: int = 200, failure: Failure | None = None
) -> Response:
    feedback = await service.visible_feedback(feedback_id, user)
    context = await report_context(request, feedback, user)
    done = request.query_params.get("done")
    response = render(
        request,
        "report.html",
        status,
        **context,
        done=language_of(request).gettext(ACTION_LABELS[Action(done)]) if done in set(Action) else None,
        failure=failure,
        confirm=None,
    )
    response.headers["ETag"] = service.etag(feedback.version)
    return response


@staff_page(*READERS)
async def report_page(request: Request, user: StaffUser) -> Response:
    return await report_reply(request, request.path_params["id"], user)


@staff_page(*READERS)
async def report_file(request: Request, user: StaffUser) -> Response:
    feedback = await service.visible_feedback(request.path_params["id"], user)
    attachment = await attachment_of(feedback, request.path_params["attachment_id"])
    storage = storage_of(request)
    return await file_response(storage, attachment.storage_key, attachment.content_type, attachment.filename)


def version_of(form: FormData) -> int:
    """The version the form was read at; anything else cannot match (412)."""
    raw = form.get("version")
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) <= MAX_ID_DIGITS else -1


async def confirm_merge(request: Request, feedback: Feedback, user: StaffUser, values: dict[str, str]) -> Response:
    """The second step of a merge: the browser asks before the report disappears into another."""
    target_id = int(values["duplicate_of"])
    try:
        target: Feedback | None = await service.visible_feedback(target_id, user)
    except Problem:
        target = None
    context = await report_context(request, feedback, user)
    confirm = {"fields": values, "target_id": target_id, "target": target}
    return render(request, "report.html", 200, **context, done=None, failure=None, confirm=confirm)


@staff_page(*ACTORS)
async def report_action(request: Request, user: StaffUser) -> Response:
    feedback_id: int = request.path_params["id"]
    feedback = await service.visible_feedback(feedback_id, user)
    form, settings = posted(request), settings_of(request)
    action, values = str(form.get("action") or ""), typed_values(form)
    try:
        move = parse_tagged(ActionRequest, command_data(action, values, settings.tz), "action").root
        if move.action == "merge" and form.get("confirm") != "yes":
            return await confirm_merge(request, feedback, user, values)
        actor = service.Actor(user, settings.workflow.review_required)
        moved = await service.perform(feedback_id, move, actor, version_of(form), now_of(request))
    except Problem as problem:
        if problem.status not in SHOWN_ON_PAGE:
            raise
        failure = failure_of(action, values, problem, language_of(request))
        return await report_reply(request, feedback_id, user, problem.status, failure)
    if not can_see(user, moved.feedback):  # declined back to the coordinators: no longer this handler's
        return redirect(request, "/console")
    return redirect(request, f"/console/reports/{feedback_id}?done={quote(move.action)}")


routes = [
    Route("/console/reports/{id:id}", report_page, methods=["GET"], name="console_report"),
    Route("/console/reports/{id:id}/actions", report_action, methods=["POST"], name="console_report_action"),
    Route(
        "/console/reports/{id:id}/files/{attachment_id:id}", report_file, methods=["GET"], name="console_report_file"
    ),
]
