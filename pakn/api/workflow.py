"""Staff routes on one report: read it, its history, act on it; bulk; off-line entry."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import current_staff, require_role
from pakn.attachments import storage_of
from pakn.core.deps import now_of, server_key_of, settings_of
from pakn.core.http import json_response, read_json_object
from pakn.core.i18n import request_language
from pakn.core.openapi import document
from pakn.core.pagination import ID, Cursor, parse_limit
from pakn.core.problems import Problem
from pakn.core.query import PageQuery, read_query
from pakn.core.validation import parse_model, parse_tagged
from pakn.domain.roles import Role
from pakn.submission import FeedbackCreated
from pakn.submission import service as submission
from pakn.workflow import (
    ActionRequest,
    BulkReply,
    BulkRequest,
    EventPage,
    FeedbackStaff,
    Source,
    SpamRejectReply,
    SpamRejectRequest,
    StaffFeedbackCreate,
    event_view,
    perform_many,
    service,
    spam_reply,
)
from pakn.workflow import reject_spam as reject_spam_from

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import Attachment, Feedback, StaffUser

_ETAG_VERSION = re.compile(r'^(?:W/)?"v(\d{1,9})"$')
ACTING_ROLES = (Role.COORDINATOR, Role.HANDLER)
EVENT_CURSOR = Cursor(ID)
EVENTS_DEFAULT, EVENTS_MAX = 100, 500  # events a page, as documented and as read


def precondition_required() -> Problem:
    return Problem(
        428,
        "precondition-required",
        "Thiếu điều kiện If-Match",
        "Precondition required",
        "Gửi tiêu đề If-Match với ETag của phản ánh để tránh ghi đè thay đổi của người khác.",
        "Send If-Match with the report's ETag so that nobody's change is overwritten.",
    )


def expected_version(request: Request) -> int | None:
    """The version If-Match names; None for `*`, "any version" (RFC 9110
    §13.1.1: the report exists, which the route has checked); 428 without one."""
    header = request.headers.get("if-match")
    if not header or not header.strip():
        raise precondition_required()
    if header.strip() == "*":
        return None
    for candidate in header.split(","):
        match = _ETAG_VERSION.match(candidate.strip())
        if match:
            return int(match.group(1))
    return -1  # an ETag that was never ours cannot match: 412


async def detail_reply(request: Request, feedback: Feedback, user: StaffUser, status_code: int = 200) -> Response:
    def attachment_url(item: Feedback, attachment: Attachment) -> str:
        return str(request.url_for("feedback_attachment", code=item.tracking_code, attachment_id=str(attachment.id)))

    settings = settings_of(request)
    view = await service.staff_detail(
        feedback,
        user,
        tz=settings.tz,
        review_required=settings.workflow.review_required,
        attachment_url=attachment_url,
        now=now_of(request),
    )
    return json_response(view, status_code, {"ETag": service.etag(feedback.version), "Cache-Control": "no-store"})


@document(
    summary="Chi tiết phản ánh (A report, for staff)",
    responses={200: FeedbackStaff},
    auth="staff",
    reply_headers=["ETag"],
    links={
        "act": {
            "operationId": "post_api_v1_staff_feedback_id_actions",
            "parameters": {"path.id": "$request.path.id", "header.If-Match": "$response.header.ETag"},
            "description": "Thao tác với ETag vừa đọc / act with the ETag just read",
        },
        "events": {
            "operationId": "get_api_v1_staff_feedback_id_events",
            "parameters": {"path.id": "$request.path.id"},
            "description": "Lịch sử xử lý / its history",
        },
    },
    tags=["staff"],
)
async def get_feedback(request: Request) -> Response:
    user = await current_staff(request)
    feedback = await service.visible_feedback(request.path_params["id"], user)
    return await detail_reply(request, feedback, user)


@document(
    summary="Lịch sử xử lý (The full history)",
    responses={200: EventPage},
    query=["cursor", "limit"],
    parameters={"limit": {"type": "integer", "minimum": 1, "maximum": EVENTS_MAX, "default": EVENTS_DEFAULT}},
    auth="staff",
    tags=["staff"],
)
async def list_events(request: Request) -> Response:
    user = await current_staff(request)
    feedback = await service.visible_feedback(request.path_params["id"], user)
    query = read_query(request, PageQuery)
    limit = parse_limit(query.limit, EVENTS_DEFAULT, EVENTS_MAX)
    after = EVENT_CURSOR.decode(query.cursor)
    events = await service.events_after(feedback.id, after[0] if after else None, limit + 1)
    more = len(events) > limit
    events = events[:limit]
    tz = settings_of(request).tz
    page = EventPage(
        items=[event_view(event, tz) for event in events],
        next_cursor=EVENT_CURSOR.encode(events[-1].id) if more and events else None,
    )
    return json_response(page)


@document(
    summary="Thao tác xử lý (Act on a report; If-Match required)",
    request=ActionRequest,
    responses={200: FeedbackStaff, 409: None},
    headers=["If-Match"],
    reply_headers=["ETag"],
    bearer=True,
    tags=["staff"],
)
async def act(request: Request) -> Response:
    user = await current_staff(request)
    require_role(user, *ACTING_ROLES)
    await service.visible_feedback(request.path_params["id"], user)  # 404 before 428 for the unseen
    version = expected_version(request)
    move = parse_tagged(ActionRequest, await read_json_object(request), "action").root
    actor = service.Actor(user, settings_of(request).workflow.review_required)
    moved = await service.perform(request.path_params["id"], move, actor, version, now_of(request))
    return await detail_reply(request, moved.feedback, user)


@document(
    summary="Thao tác hàng loạt (Assign, reject or merge many reports)",
    request=BulkRequest,
    responses={200: BulkReply},
    bearer=True,
    tags=["staff"],
)
async def bulk_act(request: Request) -> Response:
    user = await current_staff(request)
    require_role(user, Role.COORDINATOR)
    move = parse_tagged(BulkRequest, await read_json_object(request), "action").root
    actor = service.Actor(user, settings_of(request).workflow.review_required)
    results = await perform_many(move, actor, now_of(request), request_language(request))
    return json_response(BulkReply(results=results))


@document(
    summary="Từ chối hàng loạt phản ánh rác từ một nguồn (Reject as spam everything open from one device or address)",
    request=SpamRejectRequest,
    responses={200: SpamRejectReply},
    bearer=True,
    tags=["staff"],
)
async def reject_spam(request: Request) -> Response:
    user = await current_staff(request)
    require_role(user, Role.COORDINATOR)
    data = parse_model(SpamRejectRequest, await read_json_object(request))
    source = Source.of(data.device_id, data.client_address)
    ids = await reject_spam_from(source, data.since, data.note, user, now_of(request))
    return json_response(spam_reply(ids))


@document(
    summary="Nhập phản ánh nhận qua điện thoại, thư, trực tiếp (Enter an off-line report)",
    request=StaffFeedbackCreate,
    responses={201: FeedbackCreated},
    reply_headers=["Location"],
    bearer=True,
    tags=["staff"],
)
async def create_offline(request: Request) -> Response:
    user = await current_staff(request)
    require_role(user, Role.COORDINATOR)
    data = parse_model(StaffFeedbackCreate, await read_json_object(request))
    outcome = await submission.submit(
        submission.Submission(data),
        storage=storage_of(request),
        server_key=server_key_of(request),
        now=now_of(request),
        entered_by=user,
    )
    location = str(request.url_for("get_feedback", id=str(outcome.created.id)))
    return json_response(outcome.created, 201, {"Location": location})


routes = [
    Route("/api/v1/staff/feedback", create_offline, methods=["POST"]),
    Route("/api/v1/staff/feedback/bulk-actions", bulk_act, methods=["POST"]),
    Route("/api/v1/staff/feedback/reject-spam", reject_spam, methods=["POST"]),
    Route("/api/v1/staff/feedback/{id:id}", get_feedback, methods=["GET"]),
    Route("/api/v1/staff/feedback/{id:id}/events", list_events, methods=["GET"]),
    Route("/api/v1/staff/feedback/{id:id}/actions", act, methods=["POST"]),
]
