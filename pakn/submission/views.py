"""How a report reads to its citizen and to the public."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pakn.deadlines.service import state_of
from pakn.domain.publication import public_text
from pakn.domain.status import ANSWER_VISIBLE, Status, public_label, public_status
from pakn.models import Attachment, Category, Feedback, FeedbackEvent, Rating
from pakn.submission.schemas import (
    AnswerOut,
    AttachmentOut,
    CategoryRef,
    ContactIn,
    FeedbackPrivate,
    FeedbackPublic,
    HistoryItem,
    InfoRequestOut,
    LocationOut,
    RatingOut,
)


@dataclass(frozen=True)
class ViewContext:
    lang: str
    tz: ZoneInfo
    categories: dict[str, Category]
    attachment_url: Callable[[Feedback, Attachment], str]
    now: datetime  # as of when deadline states are told


def history(events: Iterable[FeedbackEvent], ctx: ViewContext) -> list[HistoryItem]:
    """Public status changes only; steps that read the same to a citizen collapse."""
    items: list[HistoryItem] = []
    for event in events:
        if not event.is_public or event.to_status is None:
            continue
        shown = public_status(Status(event.to_status))
        if items and items[-1].status == shown.value:
            continue
        items.append(
            HistoryItem(
                status=shown.value,
                label=public_label(shown, ctx.lang),
                at=event.created_at.astimezone(ctx.tz),
            )
        )
    return items


def public_view(feedback: Feedback, events: Iterable[FeedbackEvent], ctx: ViewContext) -> FeedbackPublic:
    return FeedbackPublic(**_common(feedback, events, ctx, masked=True))


def private_view(
    feedback: Feedback,
    events: Iterable[FeedbackEvent],
    attachments: Iterable[Attachment],
    rating: Rating | None,
    ctx: ViewContext,
) -> FeedbackPrivate:
    contact = None
    if not feedback.is_anonymous:
        contact = ContactIn.model_construct(
            name=feedback.contact_name, phone=feedback.contact_phone, email=feedback.contact_email
        )
    return FeedbackPrivate(
        **_common(feedback, events, ctx, masked=False),
        id=feedback.id,
        info_request=_info_request(feedback, events, ctx),
        deadline=feedback.deadline.astimezone(ctx.tz) if feedback.deadline else None,
        deadline_state=state_of(feedback, ctx.now),
        channel=str(feedback.channel.value),
        is_public=feedback.is_public,
        attachments=[attachment_view(feedback, item, ctx.attachment_url) for item in attachments],
        rating=RatingOut(score=rating.score, comment=rating.comment, created_at=rating.created_at.astimezone(ctx.tz))
        if rating
        else None,
        contact=contact,
        notify=list(feedback.notify or []),
    )


def _common(feedback: Feedback, events: Iterable[FeedbackEvent], ctx: ViewContext, *, masked: bool) -> dict[str, Any]:
    def text(value: str) -> str:
        return public_text(value) if masked else value

    shown = public_status(Status(feedback.status))
    return {
        "tracking_code": feedback.tracking_code,
        "title": text(feedback.title),
        "content": text(feedback.content),
        "category": _category(feedback.category_id, ctx),
        "location": location_view(feedback, text),
        "status": shown.value,
        "status_label": public_label(shown, ctx.lang),
        "created_at": feedback.created_at.astimezone(ctx.tz),
        "answer": _answer(feedback, text, ctx),
        "history": history(events, ctx),
    }


def answer_visible(feedback: Feedback) -> bool:
    """A published answer: the report's own, or its original's for a duplicate."""
    status = Status(feedback.status)
    return bool(feedback.answer) and (status in ANSWER_VISIBLE or status is Status.DUPLICATE)


def _info_request(feedback: Feedback, events: Iterable[FeedbackEvent], ctx: ViewContext) -> InfoRequestOut | None:
    """What staff asked the citizen to add, while the report waits for it."""
    if Status(feedback.status) is not Status.INFO_REQUESTED:
        return None
    asked = [event for event in events if event.action == "request_info" and event.details]
    if not asked:
        return None
    last = asked[-1]
    return InfoRequestOut(
        message=str((last.details or {}).get("message", "")),
        requested_at=last.created_at.astimezone(ctx.tz),
    )


def _category(code: str | None, ctx: ViewContext) -> CategoryRef | None:
    category = ctx.categories.get(code) if code else None
    if category is None:
        return None
    return CategoryRef(code=category.code, name=category.name_en if ctx.lang == "en" else category.name_vi)


def location_view(feedback: Feedback, text: Callable[[str], str] = str) -> LocationOut | None:
    if feedback.lat is None and not feedback.address and feedback.admin_unit_id is None:
        return None
    return LocationOut(
        lat=feedback.lat,
        lon=feedback.lon,
        address=text(feedback.address),
        admin_unit_code=feedback.admin_unit_id,
    )


def _answer(feedback: Feedback, text: Callable[[str], str], ctx: ViewContext) -> AnswerOut | None:
    if not answer_visible(feedback):
        return None
    answered = feedback.resolved_at.astimezone(ctx.tz) if feedback.resolved_at else None
    return AnswerOut(content=text(feedback.answer), answered_at=answered)


def attachment_view(feedback: Feedback, item: Attachment, url: Callable[[Feedback, Attachment], str]) -> AttachmentOut:
    return AttachmentOut(
        id=item.id,
        filename=item.filename,
        content_type=item.content_type,
        kind=item.kind,
        size=item.size,
        width=item.width,
        height=item.height,
        url=url(feedback, item),
    )
