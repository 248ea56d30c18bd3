"""The workflow's commands: one typed value per move, whoever makes it.

Staff send them as JSON (pakn.workflow.schemas.ActionRequest parses straight
into these), the scheduler builds them (`Plain(action="close")`), and the
citizen's answer to a request for information is a `Supplement`. The engine
(pakn.workflow.service.perform) takes nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BeforeValidator, ConfigDict, Field

from pakn.core.routing import RowId
from pakn.submission import StrictInput
from pakn.text.fields import LineStr, LocalizedValueError, TextStr

Note = Annotated[TextStr, Field(max_length=5000)]
RequiredNote = Annotated[TextStr, Field(min_length=1, max_length=5000)]
AgencyCode = Annotated[LineStr, Field(min_length=1, max_length=64)]
CategoryCode = Annotated[LineStr, Field(min_length=1, max_length=64)]
PriorityName = Literal["urgent", "normal", "complex"]
RejectReason = Literal["incomplete", "out_of_scope", "complaint_or_denunciation", "spam", "other"]


class Move(StrictInput):
    """An action on a report; each may carry an internal note for the record."""

    note: Note = ""


class Assign(Move):
    action: Literal["assign"]
    agency: AgencyCode
    category: CategoryCode | None = None
    priority: PriorityName | None = None


class Reject(Move):
    action: Literal["reject"]
    reason: RejectReason


class Merge(Move):
    action: Literal["merge"]
    duplicate_of: RowId


class Reassign(Move):
    action: Literal["reassign"]
    agency: AgencyCode


class RequestInfo(Move):
    action: Literal["request_info"]
    message: RequiredNote


class AnswerIn(Move):
    action: Literal["answer"]
    answer: Annotated[TextStr, Field(min_length=10, max_length=10000)]


class NoteRequired(StrictInput):
    action: Literal["decline", "return", "reopen", "comment"]
    note: RequiredNote


class Plain(Move):
    action: Literal["start", "approve", "close"]


class SetCategory(Move):
    action: Literal["set_category"]
    category: CategoryCode


class SetPriority(Move):
    action: Literal["set_priority"]
    priority: PriorityName
    urgent: bool | None = None


def iso_instant(value: object) -> object:
    """An ISO 8601 instant with its offset (a string in JSON), or a Vietnamese error."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) and len(value) >= 19 else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise LocalizedValueError(
            "Phải là thời điểm ISO 8601 có múi giờ, vd. 2026-12-07T17:00:00+07:00.",
            "Must be an ISO 8601 instant with an offset, e.g. 2026-12-07T17:00:00+07:00.",
        )
    return parsed


# An instant as JSON writes it: ISO 8601 with its offset.
Instant = Annotated[AwareDatetime, Field(strict=False), BeforeValidator(iso_instant)]


class Extend(Move):
    """A coordinator gives more time: a new instant (with its offset), and why."""

    action: Literal["extend"]
    deadline: Instant
    reason: RequiredNote


# Every move staff make.
StaffCommand = (
    Assign
    | Reject
    | Merge
    | Reassign
    | RequestInfo
    | AnswerIn
    | NoteRequired
    | Plain
    | SetCategory
    | SetPriority
    | Extend
)
# What staff send: the `action` field picks the shape.
ActionIn = Annotated[StaffCommand, Field(discriminator="action")]


class Supplement(StrictInput):
    """The citizen's answer to a request for information: its text, and the
    rows of the files already stored (pakn.attachments.stored)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    action: Literal["supplement"] = "supplement"
    content: str
    attachments: tuple[dict[str, Any], ...] = ()
    note: Literal[""] = ""  # no internal note: the citizen's text is the supplement itself


# Every move the engine makes.
Command = StaffCommand | Supplement
