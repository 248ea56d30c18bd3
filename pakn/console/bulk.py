"""Acting on many reports at once from the queue: assign, reject or merge the
ticked reports, each on its own (one refusal does not undo the others), with
the API's command (`BulkRequest`) and engine (`perform_many`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.console.labels import ACTION_LABELS
from pakn.console.language import language_of
from pakn.console.pages import render
from pakn.console.report import MAX_ID_DIGITS, command_data, typed_values
from pakn.console.session import posted, staff_page
from pakn.core.deps import now_of, settings_of
from pakn.core.problems import Problem
from pakn.core.validation import parse_tagged
from pakn.domain.roles import Role
from pakn.domain.status import STAFF_LABELS
from pakn.domain.workflow import BULK_ACTIONS, Action
from pakn.workflow import BulkRequest, perform_many, service

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import StaffUser

BULK_ROLES = (Role.COORDINATOR, Role.ADMIN)
# One form on the queue carries every action's fields: each action keeps its own.
BULK_FIELDS = {
    Action.ASSIGN: frozenset({"agency", "category", "priority", "note"}),
    Action.REJECT: frozenset({"reason", "note"}),
    Action.MERGE: frozenset({"duplicate_of", "note"}),
}


def bulk_data(action: str, values: dict[str, str], ids: list[str], request: Request) -> dict[str, Any]:
    kept = {name: value for name, value in values.items() if name in BULK_FIELDS.get(Action(action), ())}
    data = command_data(action, kept, settings_of(request).tz)
    data["ids"] = [int(raw) if raw.isdigit() and len(raw) <= MAX_ID_DIGITS else raw for raw in ids]
    return data


@staff_page(*BULK_ROLES)
async def bulk_action(request: Request, user: StaffUser) -> Response:
    form = posted(request)
    action = str(form.get("action") or "")
    ids = [raw.strip() for raw in form.getlist("ids") if isinstance(raw, str)]
    lang = language_of(request)
    label = lang.gettext(ACTION_LABELS[Action(action)]) if action in BULK_ACTIONS else action
    try:
        data = bulk_data(action, typed_values(form), ids, request) if action in BULK_ACTIONS else {"action": action}
        move = parse_tagged(BulkRequest, data, "action").root
    except Problem as problem:
        return render(request, "bulk_result.html", problem.status, problem=problem, results=[], label=label)
    actor = service.Actor(user, settings_of(request).workflow.review_required)
    results = await perform_many(move, actor, now_of(request), lang.code)
    labels = {status.value: lang.pick(*pair) for status, pair in STAFF_LABELS.items()}
    return render(request, "bulk_result.html", 200, problem=None, results=results, label=label, labels=labels)


routes = [Route("/console/bulk", bulk_action, methods=["POST"], name="console_bulk")]
