"""Routes of the citizen API: parse, call one service, serialise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.accounts import can_see, device_of, staff_from_token
from pakn.attachments import ACCEPTED_TYPES, file_response, storage_of
from pakn.core.deps import client_address_of, now_of, server_key_of, settings_of
from pakn.core.http import bearer_token, json_response, read_json
from pakn.core.i18n import request_language
from pakn.core.openapi import document
from pakn.core.pagination import parse_limit
from pakn.core.problems import not_found, unauthorized
from pakn.core.query import CODE_PATTERN, PageQuery, code_parameter, read_query
from pakn.core.ratelimit import Door, code_door, rate_limit
from pakn.core.routing import ROW_ID_SCHEMA
from pakn.reference.service import ADMIN_UNIT_CODE_MAX, CATEGORY_CODE_MAX
from pakn.submission import (
    FeedbackCreate,
    FeedbackCreated,
    FeedbackPage,
    FeedbackPrivate,
    FeedbackPublic,
    FeedFilter,
    Intake,
    RatingCreate,
    RatingOut,
    SupplementCreate,
    SupplementCreated,
    ViewContext,
    attachment_of,
    categories_by_code,
    find_by_code,
    idempotency_key,
    inspect_all,
    owned_feedback,
    rate,
    read_submission,
    service,
    track,
)
from pakn.submission import public_feed as read_public_feed
from pakn.workflow import add_supplement as supplement_report

if TYPE_CHECKING:  # doors use the models' types, never their queries
    from pakn.models import Attachment, Device, Feedback

SEARCH_MAX = 200
FEEDBACK_PATH = "/api/v1/feedback"


async def view_context(request: Request) -> ViewContext:
    def attachment_url(feedback: Feedback, item: Attachment) -> str:
        return str(request.url_for("feedback_attachment", code=feedback.tracking_code, attachment_id=str(item.id)))

    return ViewContext(
        lang=request_language(request),
        tz=settings_of(request).tz,
        categories=await categories_by_code(),
        attachment_url=attachment_url,
        now=now_of(request),
    )


@document(
    summary="Gửi phản ánh, kiến nghị (Submit a report)",
    request=FeedbackCreate,
    multipart=True,
    responses={201: FeedbackCreated, 409: None, 429: None},
    headers=["Idempotency-Key"],
    reply_headers=["Location"],
    # A registered device's credential links the report to it (my reports, push);
    # a bad one is refused (401), never taken for an anonymous submission.
    auth="device_optional",
    example={
        "title": "Đường bị ngập nước",
        "content": "Đoạn đường Trần Hưng Đạo bị ngập nước sau mưa, xe máy không đi được.",
        "category": "giao-thong",
        "location": {"lat": 21.0245, "lon": 105.8412, "address": "Trần Hưng Đạo, Hà Nội"},
        "contact": {"name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.vn"},
        "channel": "web",
    },
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
            ("supplement", "post_api_v1_feedback_code_supplements", "Bổ sung khi được yêu cầu / answer a request"),
        )
    },
)
async def create_feedback(request: Request) -> Response:
    settings = settings_of(request)
    received: Intake[FeedbackCreate] = await read_submission(request, settings.limits)
    device = await device_of(request, now_of(request))
    # A verified device is counted by its public id; otherwise by what the app claims.
    await rate_limit(request, Door.SUBMIT, device.public_id if device else received.data.device_id)
    key = idempotency_key(request, received.data, settings.limits.idempotency_key_max_length)
    submission = service.Submission(
        data=received.data,
        idempotency_key=key,
        upload_digests=tuple(upload.digest for upload in received.uploads),
        device=device,
    )
    # A retry with files is answered before its images are decoded again; without
    # files the unique key on insert detects the retry, one query fewer per submission.
    outcome = await service.find_replay(submission, server_key_of(request)) if received.uploads else None
    if outcome is None:
        files = await inspect_all(received.uploads, settings.limits)
        outcome = await service.submit(
            service.Submission(
                submission.data,
                key,
                submission.upload_digests,
                files,
                client_address=client_address_of(request),
                device=device,
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
    summary=(
        "Tra cứu phản ánh (Track a report; private with its access token or the credential of the device "
        "that submitted it, which also marks it read)"
    ),
    responses={200: (FeedbackPublic, FeedbackPrivate), 429: None},
    auth="optional",
)
@code_door(Door.LOOKUP)
async def track_feedback(request: Request) -> Response:
    device = await device_of(request, now_of(request))
    view = await track(request.path_params["code"], bearer_token(request), await view_context(request), device)
    return json_response(view, headers={"Cache-Control": "private, no-store", "Vary": "Authorization"})


async def owner_credentials(request: Request) -> tuple[str | None, Device | None]:
    """The report's access token (Bearer) or the calling device (Device); 401 without either."""
    token = bearer_token(request)
    device = await device_of(request, now_of(request))
    if token is None and device is None:
        raise unauthorized()
    return token, device


async def readable_feedback(request: Request) -> Feedback:
    """The report for its owner's token or device, or for a staff token within reach."""
    token = bearer_token(request)
    found = await staff_from_token(token, now_of(request))
    if found is None:  # no credential at all is a 404 here, as a wrong one: the file's existence is not told
        device = await device_of(request, now_of(request))
        return await owned_feedback(request.path_params["code"], token, device)
    feedback = await find_by_code(request.path_params["code"])
    if feedback is None or not can_see(found[0], feedback):
        raise not_found()
    return feedback


@document(
    summary="Tệp đính kèm (An attachment, for the report's owner and staff)",
    binary=ACCEPTED_TYPES,
    responses={429: None},
    auth="owner",
    reply_headers=["Content-Disposition"],
    parameters={"attachment_id": ROW_ID_SCHEMA},
)
@code_door(Door.LOOKUP)
async def feedback_attachment(request: Request) -> Response:
    feedback = await readable_feedback(request)
    attachment = await attachment_of(feedback, request.path_params["attachment_id"])
    storage = storage_of(request)
    return await file_response(storage, attachment.storage_key, attachment.content_type, attachment.filename)


@document(
    summary="Đánh giá kết quả xử lý (Rate the answer)",
    request=RatingCreate,
    responses={201: RatingOut, 409: None, 429: None},
    auth="owner",
)
@code_door(Door.RATING)
async def rate_feedback(request: Request) -> Response:
    token, device = await owner_credentials(request)
    rating = await read_json(request, RatingCreate)
    feedback = await owned_feedback(request.path_params["code"], token, device)
    return json_response(await rate(feedback, rating, now_of(request)), 201)


@document(
    summary="Bổ sung thông tin khi được yêu cầu (Answer a request for information)",
    request=SupplementCreate,
    multipart=True,
    responses={201: SupplementCreated, 409: None, 429: None},
    auth="owner",
)
@code_door(Door.SUPPLEMENT)
async def add_supplement(request: Request) -> Response:
    token, device = await owner_credentials(request)
    feedback = await owned_feedback(request.path_params["code"], token, device)
    limits = settings_of(request).limits
    received = await read_submission(request, limits, SupplementCreate)
    files = await inspect_all(received.uploads, limits)
    created = await supplement_report(
        feedback.id, received.data, files, storage=storage_of(request), now=now_of(request)
    )
    return json_response(created, 201)


class FeedQuery(PageQuery):
    category: str | None = Field(None, max_length=CATEGORY_CODE_MAX, pattern=CODE_PATTERN)
    admin_unit: str | None = Field(None, max_length=ADMIN_UNIT_CODE_MAX, pattern=CODE_PATTERN)
    q: str | None = Field(None, max_length=SEARCH_MAX)


@document(
    summary="Phản ánh đã được trả lời (Public feed of answered reports)",
    responses={200: FeedbackPage},
    query=["category", "admin_unit", "q", "cursor", "limit"],
    parameters={
        "category": code_parameter(CATEGORY_CODE_MAX),
        "admin_unit": code_parameter(ADMIN_UNIT_CODE_MAX),
        "q": {
            "type": "string",
            "maxLength": SEARCH_MAX,
            "description": (
                "Tìm trong tiêu đề, nội dung; không phân biệt hoa thường, dấu, dấu cách / "
                "search, blind to case, accents and spacing"
            ),
        },
    },
)
async def public_feed(request: Request) -> Response:
    limits = settings_of(request).limits
    query = read_query(request, FeedQuery)
    feed = FeedFilter(
        category=query.category,
        admin_unit=query.admin_unit,
        q=query.q,
        cursor=query.cursor,  # read by tracking.FEED_CURSOR: 400 unless the feed wrote it
        limit=parse_limit(query.limit, limits.page_size_default, limits.page_size_max),
    )
    page = await read_public_feed(feed, await view_context(request))
    return json_response(page, headers={"Cache-Control": "public, max-age=30"})


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
