"""What a citizen does after submitting: track, read attachments, rate; and the public feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from pakn.core import rawsql
from pakn.core.pagination import decode_cursor, encode_cursor
from pakn.core.problems import Problem, bad_request, conflict, not_found
from pakn.domain.status import ANSWER_VISIBLE, Status
from pakn.models import Attachment, Category, Feedback, FeedbackEvent, Rating
from pakn.reference.cache import categories
from pakn.submission import secrets
from pakn.submission.schemas import FeedbackPage, FeedbackPrivate, FeedbackPublic, RatingCreate, RatingOut
from pakn.submission.views import ViewContext, answer_visible, private_view, public_view
from pakn.triage.intelligence.search import public_query, text_condition


async def categories_by_code() -> dict[str, Category]:
    return await categories.all()


async def find_by_code(raw_code: str) -> Feedback | None:
    code = secrets.normalise_tracking_code(raw_code)
    if code is None:
        return None
    found = await rawsql.instances(Feedback, "tracking_code = ?", [code])
    return found[0] if found else None


def is_publicly_visible(feedback: Feedback) -> bool:
    return feedback.is_public and Status(feedback.status) in ANSWER_VISIBLE


async def owned_feedback(raw_code: str, token: str | None) -> Feedback:
    """The report whose access token this is; 404 for anything else, so that
    nobody learns whether a code exists."""
    feedback = await find_by_code(raw_code)
    if feedback is None or token is None or not secrets.token_matches(token, feedback.access_token_hash):
        raise not_found()
    return feedback


async def track(
    raw_code: str, token: str | None, ctx: ViewContext
) -> FeedbackPrivate | FeedbackPublic:
    feedback = await find_by_code(raw_code)
    if feedback is None:
        raise not_found()
    # The lookup apps repeat most: fixed queries, and no rating looked for before
    # there is an answer to rate (rating needs one; a reopened report keeps it).
    events = await rawsql.instances(FeedbackEvent, "feedback_id = ?", [feedback.id])
    if token is not None and secrets.token_matches(token, feedback.access_token_hash):
        attachments = await rawsql.instances(Attachment, "feedback_id = ?", [feedback.id])
        rating = await Rating.get_or_none(feedback_id=feedback.id) if feedback.answer else None
        return private_view(feedback, events, attachments, rating, ctx)
    if is_publicly_visible(feedback):
        return public_view(feedback, events, ctx)
    raise not_found()


async def attachment_of(feedback: Feedback, attachment_id: int) -> Attachment:
    attachment = await Attachment.get_or_none(id=attachment_id, feedback_id=feedback.id)
    if attachment is None:
        raise not_found()
    return attachment


async def rate(feedback: Feedback, rating: RatingCreate, now: datetime) -> RatingOut:
    if not answer_visible(feedback):
        raise conflict(
            "not-answered-yet",
            "Chỉ có thể đánh giá khi phản ánh đã có kết quả xử lý.",
            "A report can be rated only once it has an answer.",
        )
    try:
        async with in_transaction():
            saved = await Rating.create(
                feedback=feedback, score=rating.score, comment=rating.comment, created_at=now
            )
    except IntegrityError:
        raise _already_rated() from None
    return RatingOut(score=saved.score, comment=saved.comment, created_at=now)


def _already_rated() -> Problem:
    return conflict(
        "already-rated", "Phản ánh này đã được đánh giá.", "This report has already been rated."
    )


@dataclass(frozen=True)
class FeedFilter:
    category: str | None = None
    admin_unit: str | None = None
    cursor: str | None = None
    limit: int = 20
    q: str | None = None  # words, blind to case, diacritics and spacing


async def public_feed(query: FeedFilter, ctx: ViewContext) -> FeedbackPage:
    """Answered, consented reports, newest answer first, by keyset on (resolved_at, id)."""
    rows = Feedback.filter(is_public=True, status__in=[s.value for s in ANSWER_VISIBLE])
    if query.category:
        rows = rows.filter(category_id=query.category)
    if query.admin_unit:
        rows = rows.filter(Q(admin_unit_id=query.admin_unit) | Q(admin_unit__parent_id=query.admin_unit))
    # Personal data is masked in the feed, so it must not be searchable there either.
    found = text_condition(public_query(query.q)) if query.q else None
    if found is not None:
        rows = rows.filter(found)
    if query.cursor:
        at_raw, last_id = decode_cursor(query.cursor, 2)
        at = _cursor_time(at_raw)
        rows = rows.filter(Q(resolved_at__lt=at) | Q(resolved_at=at, id__lt=int(last_id)))
    page = await rows.order_by("-resolved_at", "-id").limit(query.limit + 1)
    has_more = len(page) > query.limit
    page = page[: query.limit]
    events = await _events_by_feedback([item.id for item in page])
    items = [public_view(item, events.get(item.id, []), ctx) for item in page]
    next_cursor = None
    if has_more and page:
        last = page[-1]
        next_cursor = encode_cursor([last.resolved_at.isoformat() if last.resolved_at else None, last.id])
    return FeedbackPage(items=items, next_cursor=next_cursor)


def _cursor_time(raw: object) -> datetime:
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        raise bad_request("Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.", "bad-cursor") from None


async def _events_by_feedback(ids: list[int]) -> dict[int, list[FeedbackEvent]]:
    grouped: dict[int, list[FeedbackEvent]] = {}
    if ids:
        for event in await FeedbackEvent.filter(feedback_id__in=ids, is_public=True).order_by("id"):
            grouped.setdefault(event.feedback_id, []).append(event)
    return grouped
