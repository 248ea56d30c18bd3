"""The public contract of the citizen API, written by hand."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pakn.deadlines import StateName
from pakn.domain.geo import in_vietnam
from pakn.text.fields import EMAIL, LineStr, LocalizedValueError, TextStr

_PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{7,18}[0-9]$")

# Where the citizen hears of the report's changes (issue 14): e-mail, push to the
# app, Web Push to the browser, SMS, Zalo ZNS (pakn/submission/channels.py).
NoticeChannel = Literal["email", "push", "webpush", "sms", "zns"]
NOTICE_CHANNELS: tuple[NoticeChannel, ...] = ("email", "push", "webpush", "sms", "zns")


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class LocationIn(StrictInput):
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    address: LineStr = Field("", max_length=500)
    admin_unit_code: LineStr | None = Field(None, min_length=1, max_length=16)

    @model_validator(mode="after")
    def _coordinates_in_vietnam(self) -> LocationIn:
        if (self.lat is None) != (self.lon is None):
            raise LocalizedValueError("Cần cả vĩ độ (lat) và kinh độ (lon).", "Both lat and lon are required.")
        if self.lat is not None and self.lon is not None and not in_vietnam(self.lat, self.lon):
            raise LocalizedValueError("Vị trí nằm ngoài lãnh thổ Việt Nam.", "The location is outside Vietnam.")
        return self


class ContactIn(StrictInput):
    name: LineStr | None = Field(None, max_length=200)
    phone: LineStr | None = Field(None, max_length=32)
    email: LineStr | None = Field(None, max_length=254)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value and not _PHONE.match(value):
            raise LocalizedValueError("Số điện thoại không hợp lệ.", "Invalid phone number.")
        return value or None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not EMAIL.match(value):
            raise LocalizedValueError("Địa chỉ e-mail không hợp lệ.", "Invalid e-mail address.")
        return value.lower() if value else None

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.phone or self.email)


class FeedbackCreate(StrictInput):
    title: LineStr = Field("", max_length=200)
    content: TextStr = Field(min_length=10, max_length=5000)
    category: LineStr | None = Field(None, max_length=64)
    location: LocationIn | None = None
    contact: ContactIn | None = None
    channel: Literal["mobile", "web", "hotline", "email"] = "mobile"
    device_id: LineStr | None = Field(None, max_length=200)
    is_public: bool = True
    # The channels the citizen accepts; left out (or null): push to the device that
    # submits when it has a push token, else e-mail when given, else none.
    notify: list[NoticeChannel] | None = Field(
        None, max_length=len(NOTICE_CHANNELS), json_schema_extra={"uniqueItems": True}
    )

    @field_validator("notify")
    @classmethod
    def _each_once(cls, value: list[NoticeChannel] | None) -> list[NoticeChannel] | None:
        if value is not None and len(set(value)) != len(value):
            raise LocalizedValueError(
                "Mỗi kênh chỉ được chọn một lần.", "Each channel may be chosen once.", code="duplicate_channel"
            )
        return value


class FeedbackCreated(BaseModel):
    id: int
    tracking_code: str
    access_token: str
    status: str
    created_at: datetime
    category: str | None


class RatingCreate(StrictInput):
    score: int = Field(ge=1, le=5)
    comment: TextStr = Field("", max_length=2000)


class RatingOut(BaseModel):
    score: int
    comment: str
    created_at: datetime


class CategoryRef(BaseModel):
    code: str
    name: str


class LocationOut(BaseModel):
    lat: float | None
    lon: float | None
    address: str
    admin_unit_code: str | None


class HistoryItem(BaseModel):
    status: str
    label: str
    at: datetime


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    kind: str
    size: int
    width: int | None
    height: int | None
    url: str


class AnswerOut(BaseModel):
    content: str
    answered_at: datetime | None


class FeedbackPublic(BaseModel):
    """What anyone may read: no contact data, no attachments, personal data masked."""

    tracking_code: str
    title: str
    content: str
    category: CategoryRef | None
    location: LocationOut | None
    status: str
    status_label: str
    created_at: datetime
    answer: AnswerOut | None
    history: list[HistoryItem]


class InfoRequestOut(BaseModel):
    message: str
    requested_at: datetime


class FeedbackPrivate(FeedbackPublic):
    """What the citizen who holds the access token reads."""

    id: int
    info_request: InfoRequestOut | None
    # The deadline in force (to assign, then to resolve) and where the report
    # stands against it: on_track | due_soon | overdue, null once handled.
    deadline: datetime | None
    deadline_state: StateName | None
    channel: str
    is_public: bool
    attachments: list[AttachmentOut]
    rating: RatingOut | None
    contact: ContactIn | None
    notify: list[str]  # the channels the citizen accepted at submission


class MyReport(BaseModel):
    """A report in its device's list (GET /api/v1/devices/me/feedback)."""

    tracking_code: str
    title: str
    status: str
    status_label: str
    created_at: datetime
    deadline: datetime | None
    deadline_state: StateName | None
    # The last change the citizen's history shows; `unread` when it came after
    # the device last read the report (GET /api/v1/feedback/{code} with its credential).
    public_changed_at: datetime | None
    unread: bool


class MyReportPage(BaseModel):
    items: list[MyReport]
    next_cursor: str | None


class FeedbackPage(BaseModel):
    items: list[FeedbackPublic]
    next_cursor: str | None


class SupplementCreate(StrictInput):
    content: TextStr = Field(min_length=1, max_length=5000)


class SupplementCreated(BaseModel):
    id: int
    status: str
    created_at: datetime
