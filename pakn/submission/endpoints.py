"""Routes of the citizen API: parse, call one service, serialise."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts.auth import staff_from_token
from pakn.accounts.reach import can_see
from pakn.attachments.inspect import ACCEPTED_TYPES
from pakn.core.deps import client_address_of, now_of, server_key_of, settings_of, storage_of
from pakn.core.http import bearer_token, json_response, read_limited_body, require_media_type
from pakn.core.i18n import request_language
from pakn.core.routing import ROW_ID_SCHEMA
from pakn.core.openapi import document
from pakn.core.pagination import decode_cursor, parse_limit
from pakn.core.problems import Problem, bad_request, not_found, unauthorized
from pakn.core.ratelimit import Door, code_door, rate_limit
from pakn.core.validation import parse_json_bytes, parse_model, require_object
from pakn.models import AdminUnit, Attachment, Category, Feedback
from pakn.submission import intake, service, supplements, tracking
from pakn.submission.schemas import (
    FeedbackCreate,
    FeedbackCreated,
    FeedbackPage,
    FeedbackPrivate,
    RatingCreate,
    RatingOut,
    SupplementCreate,
    SupplementCreated,
)
from pakn.submission.views import ViewContext

# Row ids are 64-bit; anything longer cannot name a row (and would overflow the query).
ID_MAX = 2**63 - 1
CATEGORY_CODE_MAX = Category._meta.fields_map["code"].max_length
ADMIN_UNIT_CODE_MAX = AdminUnit._meta.fields_map["code"].max_length
SEARCH_MAX = 200
FEEDBACK_PATH = "/api/v1/feedback"


async def view_context(request: Request) -> ViewContext:
    def attachment_url(feedback: Feedback, item: Attachment) -> str:
        return str(
            request.url_for("feedback_attachment", code=feedback.tracking_code, attachment_id=str(item.id))
        )

    return ViewContext(
        lang=request_language(request),
        tz=settings_of(request).tz,
        categories=await tracking.categories_by_code(),
        attachment_url=attachment_url,
        now=now_of(request),
    )


@document(
    summary="Gửi phản ánh, kiến nghị (Submit a report)",
    request=FeedbackCreate,
    multipart=True,
    responses={201: FeedbackCreated, 429: None},
    headers=["Idempotency-Key"],
    links={
        name: {
            "operationId": operation,
            "parameters": {
                "path.code": "$response.body#/tracking_code",
                "header.Authorization": "Bearer {$response.body#/access_token}",
            },
            "description": description,
        }
        for name, operation, description in (
            ("track", "get_api_v1_feedback_code", "Tra cứu bằng access_token / track it with its access token"),
            ("rate", "post_api_v1_feedback_code_rating", "Đánh giá khi đã có kết quả / rate it once answered"),
        )
    },
)
async def create_feedback(request: Request) -> Response:
    settings = settings_of(request)
    received = await intake.read_submission(request, settings.limits)
    await rate_limit(request, Door.SUBMIT, received.data.device_id)
    key = intake.idempotency_key(request, received.data, settings.limits.idempotency_key_max_length)
    submission = service.Submission(
        data=received.data,
        idempotency_key=key,
        upload_digests=tuple(upload.digest for upload in received.uploads),
    )
    # A retry with files is answered before its images are decoded again; without
    # files the unique key on insert detects the retry, one query fewer per submission.
    outcome = await service.find_replay(submission, server_key_of(request)) if received.uploads else None
    if outcome is None:
        files = await intake.inspect_all(received.uploads, settings.limits)
        outcome = await service.submit(
            service.Submission(
                submission.data, key, submission.upload_digests, files, client_address=client_address_of(request)
            ),
            storage=storage_of(request),
            server_key=server_key_of(request),
            now=now_of(request),
        )
    # Relative (RFC 9110 §10.2.2): the same reference without building an absolute URL each time.
    headers = {"Location": f"{request.scope.get('root_path', '')}{FEEDBACK_PATH}/{outcome.created.tracking_code}"}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(outcome.created, 201, headers)


@document(
    summary="Tra cứu phản ánh (Track a report; private with its access token)",
    responses={200: FeedbackPrivate, 429: None},
    bearer=True,
)
@code_door(Door.LOOKUP)
async def track_feedback(request: Request) -> Response:
    view = await tracking.track(request.path_params["code"], bearer_token(request), await view_context(request))
    return json_response(view, headers={"Cache-Control": "private, no-store", "Vary": "Authorization"})


async def readable_feedback(request: Request) -> Feedback:
    """The report for its owner's token, or for a staff token within reach."""
    token = bearer_token(request)
    found = await staff_from_token(token, now_of(request))
    if found is None:
        return await tracking.owned_feedback(request.path_params["code"], token)
    feedback = await tracking.find_by_code(request.path_params["code"])
    if feedback is None or not can_see(found[0], feedback):
        raise not_found()
    return feedback


@document(
    summary="Tệp đính kèm (An attachment, for the report's owner and staff)",
    binary=ACCEPTED_TYPES,
    responses={429: None},
    bearer=True,
    parameters={"attachment_id": ROW_ID_SCHEMA},
)
@code_door(Door.LOOKUP)
async def feedback_attachment(request: Request) -> Response:
    feedback = await readable_feedback(request)
    attachment = await tracking.attachment_of(feedback, request.path_params["attachment_id"])
    content = await storage_of(request).read(attachment.storage_key)
    return Response(
        content,
        media_type=attachment.content_type,
        headers={
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(attachment.filename, safe='')}",
        },
    )


@document(
    summary="Đánh giá kết quả xử lý (Rate the answer)",
    request=RatingCreate,
    responses={201: RatingOut, 429: None},
    bearer=True,
)
@code_door(Door.RATING)
async def rate_feedback(request: Request) -> Response:
    token = bearer_token(request)
    if token is None:
        raise unauthorized()
    require_media_type(request, (intake.JSON,))
    raw = await read_limited_body(request, settings_of(request).limits.max_json_bytes)
    rating = parse_model(RatingCreate, require_object(parse_json_bytes(raw)))
    feedback = await tracking.owned_feedback(request.path_params["code"], token)
    return json_response(await tracking.rate(feedback, rating, now_of(request)), 201)


@document(
    summary="Bổ sung thông tin khi được yêu cầu (Answer a request for information)",
    request=SupplementCreate,
    multipart=True,
    responses={201: SupplementCreated, 429: None},
    bearer=True,
)
@code_door(Door.SUPPLEMENT)
async def add_supplement(request: Request) -> Response:
    token = bearer_token(request)
    if token is None:
        raise unauthorized()
    feedback = await tracking.owned_feedback(request.path_params["code"], token)
    limits = settings_of(request).limits
    received = await intake.read_submission(request, limits, SupplementCreate)
    files = await intake.inspect_all(received.uploads, limits)
    created = await supplements.add_supplement(
        feedback.id, received.data, files, storage=storage_of(request), now=now_of(request)
    )
    return json_response(created, 201)


@document(
    summary="Phản ánh đã được trả lời (Public feed of answered reports)",
    responses={200: FeedbackPage},
    query=["category", "admin_unit", "q", "cursor", "limit"],
    parameters={
        "category": {"type": "string", "maxLength": CATEGORY_CODE_MAX},
        "admin_unit": {"type": "string", "maxLength": ADMIN_UNIT_CODE_MAX},
        "q": {
            "type": "string",
            "maxLength": SEARCH_MAX,
            "description": "Tìm trong tiêu đề, nội dung; không phân biệt hoa thường, dấu, dấu cách / search, blind to case, accents and spacing",
        },
    },
)
async def public_feed(request: Request) -> Response:
    limits = settings_of(request).limits
    query = tracking.FeedFilter(
        category=_code_filter(_query_value(request, "category"), CATEGORY_CODE_MAX, "category"),
        admin_unit=_code_filter(_query_value(request, "admin_unit"), ADMIN_UNIT_CODE_MAX, "admin_unit"),
        q=_code_filter(_query_value(request, "q"), SEARCH_MAX, "q"),
        cursor=_checked_cursor(_query_value(request, "cursor")),
        limit=parse_limit(_query_value(request, "limit"), limits.page_size_default, limits.page_size_max),
    )
    page = await tracking.public_feed(query, await view_context(request))
    return json_response(page, headers={"Cache-Control": "public, max-age=30"})


def _query_value(request: Request, name: str) -> str | None:
    """A query parameter given at most once: `?limit=5&limit=abc` is refused
    rather than read as whichever value comes last."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise bad_request(
            f"Tham số {name} chỉ được gửi một lần.",
            f"{name} must be given at most once.",
            "repeated-parameter",
        )
    return values[0] if values else None


def _code_filter(raw: str | None, max_length: int, name: str) -> str | None:
    """A category or unit code to filter by: longer than any code is a client error
    (and would fail the column's own check as a 500)."""
    if not raw:
        return None
    if len(raw) > max_length:
        raise bad_request(
            f"Tham số {name} không được quá {max_length} ký tự.",
            f"{name} must have at most {max_length} characters.",
            f"bad-{name.replace('_', '-')}",
        )
    return raw


def _bad_cursor() -> Problem:
    return bad_request("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.", "bad-cursor")


def _checked_cursor(raw: str | None) -> str | None:
    """The cursor when it holds what `tracking.public_feed` reads back (an ISO time
    and a row id, as `next_cursor` encodes them), else 400: a forged id such as
    `{}` or 10**30 must not reach the query."""
    if not raw:
        return None
    at, last_id = decode_cursor(raw, 2)
    if not isinstance(at, str) or type(last_id) is not int or not 0 <= last_id <= ID_MAX:
        raise _bad_cursor()
    try:
        datetime.fromisoformat(at)
    except ValueError:
        raise _bad_cursor() from None
    return raw


routes = [
    Route(FEEDBACK_PATH, create_feedback, methods=["POST"]),
    Route("/api/v1/feedback/public", public_feed, methods=["GET"]),
    Route("/api/v1/feedback/{code}", track_feedback, methods=["GET"]),
    Route("/api/v1/feedback/{code}/rating", rate_feedback, methods=["POST"]),
    Route("/api/v1/feedback/{code}/supplements", add_supplement, methods=["POST"]),
    Route(
        "/api/v1/feedback/{code}/attachments/{attachment_id:id}",
        feedback_attachment,
        methods=["GET"],
    ),
]
