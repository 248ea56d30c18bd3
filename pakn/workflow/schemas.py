"""The staff contract: actions in (the commands of pakn.workflow.commands), the
full report and its history out."""

from __future__ import annotations

from datetime import datetime
from ipaddress import ip_address
from typing import Annotated, Literal

from pydantic import BaseModel, Field, RootModel, field_validator, model_validator

from pakn.core.routing import RowId
from pakn.deadlines import StateName
from pakn.intelligence import Assessment, Suggestions
from pakn.submission import AttachmentOut, ContactIn, FeedbackCreate, LocationOut, StrictInput
from pakn.text.fields import LineStr, LocalizedValueError
from pakn.workflow.commands import ActionIn, Assign, Instant, Merge, Note, Reject


class ActionRequest(RootModel[ActionIn]):
    """Every action in one schema: the `action` field picks the shape."""


BulkIds = Annotated[list[RowId], Field(min_length=1, max_length=200)]


class BulkAssign(Assign):
    ids: BulkIds

    def command(self) -> Assign:
        """The one move each report gets."""
        return Assign.model_validate(self.model_dump(exclude={"ids"}))


class BulkReject(Reject):
    ids: BulkIds

    def command(self) -> Reject:
        return Reject.model_validate(self.model_dump(exclude={"ids"}))


class BulkMerge(Merge):
    ids: BulkIds

    def command(self) -> Merge:
        return Merge.model_validate(self.model_dump(exclude={"ids"}))


BulkCommand = BulkAssign | BulkReject | BulkMerge
BulkIn = Annotated[BulkCommand, Field(discriminator="action")]


class BulkRequest(RootModel[BulkIn]):
    """Assign, reject or merge many reports: `ids` plus the action's fields."""


class BulkResult(BaseModel):
    id: int
    ok: bool
    status: str | None = None
    error: dict[str, object] | None = None


class BulkReply(BaseModel):
    results: list[BulkResult]


class SpamRejectRequest(StrictInput):
    """Reject as spam every open report from one source since an instant:
    exactly one of `device_id` and `client_address`."""

    device_id: Annotated[LineStr, Field(min_length=1, max_length=200)] | None = None
    client_address: Annotated[str, Field(max_length=64)] | None = None
    since: Instant
    note: Note = ""

    @field_validator("client_address")
    @classmethod
    def _an_address(cls, value: str | None) -> str | None:
        # Matched as stored (as on the staff detail); never "unknown", which
        # would catch every report whose source the server could not tell.
        try:
            ip_address(value) if value is not None else None
        except ValueError:
            raise LocalizedValueError("Phải là một địa chỉ IP.", "Must be an IP address.") from None
        return value

    @model_validator(mode="after")
    def _one_source(self) -> SpamRejectRequest:
        if (self.device_id is None) == (self.client_address is None):
            raise LocalizedValueError(
                "Cần đúng một trong hai trường device_id và client_address.",
                "Give exactly one of device_id and client_address.",
            )
        return self


class SpamRejectReply(BaseModel):
    rejected: int
    # Every id rejected, ascending, when there are at most pakn.workflow.spam.IDS_SHOWN; null above.
    ids: list[int] | None


class StaffFeedbackCreate(FeedbackCreate):
    """A report received off-line (phone, letter, at the counter), entered by staff."""

    channel: Literal["hotline", "letter", "counter", "email"]  # type: ignore[assignment]


class EventOut(BaseModel):
    id: int
    action: str
    from_status: str | None
    to_status: str | None
    note: str
    details: dict[str, object] | None
    is_public: bool
    actor: str | None
    created_at: datetime


class EventPage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


class SupplementOut(BaseModel):
    id: int
    content: str
    created_at: datetime


class FeedbackStaff(BaseModel):
    id: int
    tracking_code: str
    version: int
    status: str
    allowed_actions: list[str]
    title: str
    content: str
    category: str | None
    priority: str
    urgent: bool
    channel: str
    agency: str | None
    duplicate_of: int | None
    reject_reason: str | None
    answer: str | None
    location: LocationOut | None
    contact: ContactIn | None
    is_anonymous: bool
    is_public: bool
    device_id: str | None
    client_address: str | None  # staff-only, like device_id: the source, for spam
    deadline: datetime | None
    # on_track | due_soon | overdue; null once handled or without a deadline.
    deadline_state: StateName | None
    created_at: datetime
    updated_at: datetime
    assigned_at: datetime | None
    started_at: datetime | None
    info_requested_at: datetime | None
    answered_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    rejected_at: datetime | None
    attachments: list[AttachmentOut]
    supplements: list[SupplementOut]
    # Triage suggestions computed just after intake, and the suggested category
    # kept beside the citizen's own (which is never replaced).
    assessment: Assessment = Field(
        description="pending: suggestions, duplicates and urgency are still being computed (seconds); "
        "done; failed: they could not be computed"
    )
    suggested_category: str | None = None
    suggestions: Suggestions | None = None
