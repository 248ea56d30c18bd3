"""Routes of the citizen API: parse, call one service, serialise."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pakn.core.deps import now_of, server_key_of, settings_of, storage_of
from pakn.core.http import bearer_token, json_response, read_limited_body, require_media_type
from pakn.core.i18n import request_language
from pakn.core.openapi import document
from pakn.core.pagination import parse_limit
from pakn.core.problems import unauthorized
from pakn.core.validation import parse_json_bytes, parse_model, require_object
from pakn.models import Attachment, Feedback
from pakn.submission import intake, service, tracking
from pakn.submission.schemas import (
    FeedbackCreate,
    FeedbackCreated,
    FeedbackPage,
    FeedbackPrivate,
    RatingCreate,
    RatingOut,
)
from pakn.submission.views import ViewContext


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
    )


@document(
    summary="Gửi phản ánh, kiến nghị (Submit a report)",
    request=FeedbackCreate,
    multipart=True,
    responses={201: FeedbackCreated},
    headers=["Idempotency-Key"],
)
async def create_feedback(request: Request) -> Response:
    settings = settings_of(request)
    received = await intake.read_submission(request, settings.limits)
    key = intake.idempotency_key(request, received.data, settings.limits.idempotency_key_max_length)
    submission = service.Submission(
        data=received.data,
        idempotency_key=key,
        upload_digests=tuple(upload.digest for upload in received.uploads),
    )
    outcome = await service.find_replay(submission, server_key_of(request))
    if outcome is None:
        files = await intake.inspect_all(received.uploads, settings.limits)
        outcome = await service.submit(
            service.Submission(submission.data, key, submission.upload_digests, files),
            storage=storage_of(request),
            server_key=server_key_of(request),
            now=now_of(request),
        )
    headers = {"Location": str(request.url_for("track_feedback", code=outcome.created.tracking_code))}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(outcome.created, 201, headers)


@document(
    summary="Tra cứu phản ánh (Track a report; private with its access token)",
    responses={200: FeedbackPrivate},
    bearer=True,
)
async def track_feedback(request: Request) -> Response:
    view = await tracking.track(request.path_params["code"], bearer_token(request), await view_context(request))
    return json_response(view, headers={"Cache-Control": "private, no-store", "Vary": "Authorization"})


@document(summary="Tệp đính kèm (An attachment, for the report's owner)", binary=True, bearer=True)
async def feedback_attachment(request: Request) -> Response:
    feedback = await tracking.owned_feedback(request.path_params["code"], bearer_token(request))
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
    responses={201: RatingOut},
    bearer=True,
)
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
    summary="Phản ánh đã được trả lời (Public feed of answered reports)",
    responses={200: FeedbackPage},
    query=["category", "admin_unit", "cursor", "limit"],
)
async def public_feed(request: Request) -> Response:
    limits = settings_of(request).limits
    params = request.query_params
    query = tracking.FeedFilter(
        category=params.get("category") or None,
        admin_unit=params.get("admin_unit") or None,
        cursor=params.get("cursor") or None,
        limit=parse_limit(params.get("limit"), limits.page_size_default, limits.page_size_max),
    )
    page = await tracking.public_feed(query, await view_context(request))
    return json_response(page, headers={"Cache-Control": "public, max-age=30"})


routes = [
    Route("/api/v1/feedback", create_feedback, methods=["POST"]),
    Route("/api/v1/feedback/public", public_feed, methods=["GET"]),
    Route("/api/v1/feedback/{code}", track_feedback, methods=["GET"]),
    Route("/api/v1/feedback/{code}/rating", rate_feedback, methods=["POST"]),
    Route(
        "/api/v1/feedback/{code}/attachments/{attachment_id:int}",
        feedback_attachment,
        methods=["GET"],
    ),
]
