"""A report (phản ánh, kiến nghị), its history, attachments and rating."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model

from pakn.domain.channels import Channel, Priority
from pakn.domain.status import Status
from pakn.models.fields import UtcDatetimeField

if TYPE_CHECKING:  # the related models, for the relations' types only
    from pakn.models.accounts import Agency, ApiClient, StaffUser
    from pakn.models.devices import Device
    from pakn.models.reference import AdminUnit, Category


class Feedback(Model):
    id = fields.BigIntField(primary_key=True)
    tracking_code = fields.CharField(max_length=24, unique=True)
    access_token_hash = fields.CharField(max_length=64)

    title = fields.CharField(max_length=200, default="")
    content = fields.TextField()
    category: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "models.Category", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    category_id: str | None  # each foreign key's column, for type checkers (Tortoise sets it)
    status = fields.CharEnumField(Status, max_length=20, default=Status.RECEIVED)
    priority = fields.CharEnumField(Priority, max_length=10, default=Priority.NORMAL)
    urgent = fields.BooleanField(default=False)
    channel = fields.CharEnumField(Channel, max_length=10, default=Channel.MOBILE)

    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    address = fields.CharField(max_length=500, default="")
    admin_unit: fields.ForeignKeyNullableRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    admin_unit_id: str | None

    contact_name = fields.CharField(max_length=200, null=True)
    contact_phone = fields.CharField(max_length=32, null=True)
    contact_email = fields.CharField(max_length=254, null=True)
    is_anonymous = fields.BooleanField(default=True)
    device_id = fields.CharField(max_length=200, null=True)
    # The registered device that submitted (Authorization: Device ...), for "my
    # reports" and push; `device_id` above is only what a client says it is.
    app_device: fields.ForeignKeyNullableRelation[Device] = fields.ForeignKeyField(
        "models.Device", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    app_device_id: int | None
    # The channels the citizen accepted at submission (email, push, webpush, sms, zns).
    # The database default fills the rows that predate the column (migration 0009).
    notify: fields.JSONField[list[str]] = fields.JSONField(default=list, db_default=SqlDefault("'[]'"))
    # The last change the citizen's history shows, and when the citizen's device last
    # read the report: "unread" in my reports is the first after the second.
    public_changed_at: datetime | None = UtcDatetimeField(null=True)
    citizen_read_at: datetime | None = UtcDatetimeField(null=True)
    # The address the report came from (behind a trusted proxy, the forwarded
    # one): staff-only, for rejecting a flood of spam from one source.
    client_address = fields.CharField(max_length=64, null=True)
    is_public = fields.BooleanField(default=True)

    agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    agency_id: str | None
    duplicate_of: fields.ForeignKeyNullableRelation[Feedback] = fields.ForeignKeyField(
        "models.Feedback", related_name="duplicates", null=True, on_delete=fields.RESTRICT
    )
    duplicate_of_id: int | None
    reject_reason = fields.CharField(max_length=32, null=True)
    answer = fields.TextField(null=True)
    # The current deadline (to assign, then to resolve); kept by the deadlines module,
    # with the instant from which it counts as due soon.
    deadline: datetime | None = UtcDatetimeField(null=True)
    deadline_kind = fields.CharField(max_length=10, null=True)  # "assign" | "resolve"
    due_soon_at: datetime | None = UtcDatetimeField(null=True)
    # Case- and diacritic-folded tracking code, title and content, for search, and
    # the same without spaces so that run-together input still matches.
    search_text = fields.TextField(default="")
    search_compact = fields.TextField(default="")
    # Triage suggestions computed after intake: categories, agency, duplicates.
    suggestions: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    # When the deferred assessment was stored (DeferredTask "assess"): the lag operators watch.
    assessed_at: datetime | None = UtcDatetimeField(null=True)
    suggested_category: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "models.Category", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    suggested_category_id: str | None
    # Open311: service attributes and a client-hosted media URL, and the client app.
    attributes: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    media_url = fields.CharField(max_length=1000, null=True)
    api_client: fields.ForeignKeyNullableRelation[ApiClient] = fields.ForeignKeyField(
        "models.ApiClient", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    api_client_id: int | None

    # One timestamp per milestone, for deadlines and statistics.
    assigned_at: datetime | None = UtcDatetimeField(null=True)
    started_at: datetime | None = UtcDatetimeField(null=True)
    info_requested_at: datetime | None = UtcDatetimeField(null=True)
    answered_at: datetime | None = UtcDatetimeField(null=True)
    resolved_at: datetime | None = UtcDatetimeField(null=True)
    closed_at: datetime | None = UtcDatetimeField(null=True)
    rejected_at: datetime | None = UtcDatetimeField(null=True)
    # When the report last entered a handled status (resolved, closed, rejected,
    # duplicate); cleared when it is reopened. The statistics count on it.
    handled_at: datetime | None = UtcDatetimeField(null=True)

    version = fields.IntField(default=1)
    created_at = UtcDatetimeField()
    updated_at = UtcDatetimeField()

    class Meta:
        table = "feedback"
        indexes = (
            ("status", "created_at"),
            ("is_public", "resolved_at"),
            ("category_id", "created_at"),
            ("admin_unit_id", "created_at"),
            ("channel", "created_at"),
            ("created_at",),
            ("agency_id", "status", "created_at"),
            ("agency_id", "created_at"),
            ("status", "deadline"),
            ("status", "due_soon_at"),
            ("handled_at",),
            ("device_id", "created_at"),
            ("app_device_id", "id"),
            ("client_address", "created_at"),
        )


class FeedbackEvent(Model):
    """One immutable line of a report's history."""

    id = fields.BigIntField(primary_key=True)
    feedback: fields.ForeignKeyRelation[Feedback] = fields.ForeignKeyField(
        "models.Feedback", related_name="events", on_delete=fields.CASCADE
    )
    feedback_id: int
    action = fields.CharField(max_length=32)
    from_status = fields.CharEnumField(Status, max_length=20, null=True)
    to_status = fields.CharEnumField(Status, max_length=20, null=True)
    note = fields.TextField(default="")
    # Shown to the citizen (status changes) or kept internal (comments, staff names).
    is_public = fields.BooleanField(default=False)
    # The staff account that acted (None: the citizen or the system), and its
    # username as it was, so that the record survives renames.
    actor_user: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "models.StaffUser", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    actor_user_id: int | None
    actor = fields.CharField(max_length=150, null=True)
    details: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    created_at = UtcDatetimeField()

    class Meta:
        table = "feedback_event"
        indexes = (("feedback_id", "id"),)


class Supplement(Model):
    """What the citizen adds when staff ask for more information."""

    id = fields.BigIntField(primary_key=True)
    feedback: fields.ForeignKeyRelation[Feedback] = fields.ForeignKeyField(
        "models.Feedback", related_name="supplements", on_delete=fields.CASCADE
    )
    feedback_id: int
    content = fields.TextField()
    created_at = UtcDatetimeField()

    class Meta:
        table = "supplement"


class Attachment(Model):
    id = fields.BigIntField(primary_key=True)
    feedback: fields.ForeignKeyRelation[Feedback] = fields.ForeignKeyField(
        "models.Feedback", related_name="attachments", on_delete=fields.CASCADE
    )
    feedback_id: int
    supplement: fields.ForeignKeyNullableRelation[Supplement] = fields.ForeignKeyField(
        "models.Supplement", related_name="attachments", null=True, on_delete=fields.CASCADE
    )
    supplement_id: int | None
    storage_key = fields.CharField(max_length=255, unique=True)
    filename = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=10)  # "image" | "video"
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    created_at = UtcDatetimeField()

    class Meta:
        table = "attachment"


class Rating(Model):
    """The citizen's rating of the answer: one per report, enforced by the key."""

    id = fields.BigIntField(primary_key=True)
    feedback: fields.OneToOneRelation[Feedback] = fields.OneToOneField(
        "models.Feedback", related_name="rating", on_delete=fields.CASCADE
    )
    score = fields.SmallIntField()
    comment = fields.TextField(default="")
    created_at = UtcDatetimeField()

    class Meta:
        table = "rating"
