"""What a citizen does after submitting: track, read attachments, rate; and the public feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from pakn.core import rawsql
from pakn.core.pagination import ID, Cursor, Instant
from pakn.core.problems import Problem, conflict, not_found
from pakn.domain import tracking
from pakn.domain.publication import PUBLIC_WHERE, is_published, public_text
from pakn.models import Attachment, Category, Device, Feedback, FeedbackEvent, Rating
from pakn.models.search import text_condition
from pakn.reference import categories
from pakn.submission import secrets
from pakn.submission.mine import mark_read
from pakn.submission.schemas import FeedbackPage, FeedbackPrivate, FeedbackPublic, RatingCreate, RatingOut
from pakn.submission.views import ViewContext, answer_visible, private_view, public_view
from pakn.text.fold import compact
from pakn.text.privacy import holds_personal_data


async def categories_by_code() -> dict[str, Category]:
    return await categories.all()


async def find_by_code(raw_code: str) -> Feedback | None:
    code = tracking.normalise_tracking_code(raw_code)
    if code is None:
        return None
    found = await rawsql.instances(Feedback, "tracking_code = ?", [code])
    return found[0] if found else None


def is_owner(feedback: Feedback, token: str | None, device: Device | None = None) -> bool:
    """Whether the caller holds the report: its access token, or the credential
    of the registered device that submitted it."""
    if device is not None and feedback.app_device_id == device.id:
        return True
    return token is not None and secrets.token_matches(token, feedback.access_token_hash)


async def owned_feedback(raw_code: str, token: str | None, device: Device | None = None) -> Feedback:
    """The report whose access token this is, or whose device calls; 404 for
    anything else, so that nobody learns whether a code exists."""
    feedback = await find_by_code(raw_code)
    if feedback is None or not is_owner(feedback, token, device):
        raise not_found()
    return feedback


async def track(
    raw_code: str, token: str | None, ctx: ViewContext, device: Device | None = None
) -> FeedbackPrivate | FeedbackPublic:
    """The private view for the report's owner (access token, or the device that
    submitted it: then the report is marked read as of `ctx.now`), the public
    view for anyone when the report is public, else 404."""
    feedback = await find_by_code(raw_code)
    if feedback is None:
        raise not_found()
    # The lookup apps repeat most: fixed queries, and no rating looked for before
    # there is an answer to rate (rating needs one; a reopened report keeps it).
    events = await rawsql.instances(FeedbackEvent, "feedback_id = ?", [feedback.id])
    if is_owner(feedback, token, device):
        attachments = await rawsql.instances(Attachment, "feedback_id = ?", [feedback.id])
        rating = await Rating.get_or_none(feedback_id=feedback.id) if feedback.answer else None
        if device is not None and feedback.app_device_id == device.id:
            await mark_read(feedback, ctx.now)
        return private_view(feedback, events, attachments, rating, ctx)
    if is_published(feedback):
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
            saved = await Rating.create(feedback=feedback, score=rating.score, comment=rating.comment, created_at=now)
    except IntegrityError:
        raise _already_rated() from None
    return RatingOut(score=saved.score, comment=saved.comment, created_at=now)


def _already_rated() -> Problem:
    return conflict("already-rated", "Phản ánh này đã được đánh giá.", "This report has already been rated.")


FEED_CURSOR = Cursor(Instant(), ID)  # the last row's answer time and id
# A search reads at most this many candidate rows per page, in batches.
SCAN_BATCH, SCAN_MOST = 200, 2000


@dataclass(frozen=True)
class FeedFilter:
    category: str | None = None
    admin_unit: str | None = None
    cursor: str | None = None
    limit: int = 20
    q: str | None = None  # words, blind to case, diacritics and spacing


async def public_feed(query: FeedFilter, ctx: ViewContext) -> FeedbackPage:
    """Public reports (pakn.domain.publication), newest answer first, by keyset on (resolved_at, id)."""
    rows = Feedback.filter(**PUBLIC_WHERE)
    if query.category:
        rows = rows.filter(category_id=query.category)
    if query.admin_unit:
        rows = rows.filter(Q(admin_unit_id=query.admin_unit) | Q(admin_unit__parent_id=query.admin_unit))
    if query.q and holds_personal_data(query.q):
        return FeedbackPage(items=[], next_cursor=None)  # a search for a person finds no one
    found = text_condition(query.q) if query.q else None
    squeezed = compact(query.q) if found is not None and query.q else ""
    if found is not None:
        rows = rows.filter(found)
    after = FEED_CURSOR.decode(query.cursor)
    page, more_after = await _scan(rows.order_by("-resolved_at", "-id"), after, squeezed, query.limit)
    events = await _events_by_feedback([item.id for item in page])
    items = [public_view(item, events.get(item.id, []), ctx) for item in page]
    return FeedbackPage(items=items, next_cursor=_cursor_at(more_after) if more_after else None)


def _shows(feedback: Feedback, squeezed: str) -> bool:
    """Whether the public text itself holds the query: the search copies are of
    the unmasked text, so a name masked in the feed would be found by them."""
    if not squeezed:
        return True
    shown = " ".join([feedback.tracking_code, public_text(feedback.title), public_text(feedback.content)])
    return squeezed in compact(shown)


async def _scan(
    rows: QuerySet[Feedback], after: tuple[Any, ...] | None, squeezed: str, limit: int
) -> tuple[list[Feedback], Feedback | None]:
    """Up to `limit` rows that `_shows`, and the row to continue after when there
    may be more. A search skips the rows matched only through masked text, so it
    reads in batches; past SCAN_MOST rows the page ends early, its cursor at the
    last row read."""
    size = SCAN_BATCH if squeezed else limit + 1
    shown: list[Feedback] = []
    for _ in range(0, SCAN_MOST, size):
        batch = await _after(rows, after).limit(size)
        shown += [row for row in batch if _shows(row, squeezed)]
        if len(shown) > limit:
            return shown[:limit], shown[limit - 1]
        if len(batch) < size:
            return shown, None
        after = (batch[-1].resolved_at, batch[-1].id)
    return shown, batch[-1]


def _after(rows: QuerySet[Feedback], after: tuple[Any, ...] | None) -> QuerySet[Feedback]:
    if after is None:
        return rows
    at, last_id = after
    return rows.filter(Q(resolved_at__lt=at) | Q(resolved_at=at, id__lt=last_id))


def _cursor_at(last: Feedback) -> str:
    return FEED_CURSOR.encode(last.resolved_at, last.id)


async def _events_by_feedback(ids: list[int]) -> dict[int, list[FeedbackEvent]]:
    grouped: dict[int, list[FeedbackEvent]] = {}
    if ids:
        for event in await FeedbackEvent.filter(feedback_id__in=ids, is_public=True).order_by("id"):
            grouped.setdefault(event.feedback_id, []).append(event)
    return grouped
