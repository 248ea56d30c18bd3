import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from pakn.domain.channels import Channel, Priority
from pakn.domain.status import Status
from pakn.models.fields import UtcDatetimeField


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="AdminUnit",
            fields=[
                ("code", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=16)),
                ("name", fields.CharField(max_length=200)),
                ("name_en", fields.CharField(default="", max_length=200)),
                ("division_type", fields.CharField(default="", max_length=64)),
                ("level", fields.CharField(max_length=16)),
                (
                    "parent",
                    fields.ForeignKeyField(
                        "models.AdminUnit",
                        source_field="parent_id",
                        null=True,
                        db_constraint=True,
                        to_field="code",
                        related_name="children",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("valid_from", fields.DateField(null=True)),
                ("valid_to", fields.DateField(null=True)),
            ],
            options={
                "table": "admin_unit",
                "app": "models",
                "indexes": [Index(fields=["parent_id", "name"])],
                "pk_attr": "code",
                "table_description": "A province or a commune. Units that a reform replaced stay, with their",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Category",
            fields=[
                ("code", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ("name_vi", fields.CharField(max_length=200)),
                ("name_en", fields.CharField(max_length=200)),
                ("description_vi", fields.TextField(default="", unique=False)),
                ("description_en", fields.TextField(default="", unique=False)),
                ("position", fields.IntField(default=0)),
                ("is_active", fields.BooleanField(default=True)),
            ],
            options={"table": "category", "app": "models", "pk_attr": "code"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Feedback",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("tracking_code", fields.CharField(unique=True, max_length=24)),
                ("access_token_hash", fields.CharField(max_length=64)),
                ("title", fields.CharField(default="", max_length=200)),
                ("content", fields.TextField(unique=False)),
                (
                    "category",
                    fields.ForeignKeyField(
                        "models.Category",
                        source_field="category_id",
                        null=True,
                        db_constraint=True,
                        to_field="code",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=Status.RECEIVED,
                        description="RECEIVED: received\nASSIGNED: assigned\nIN_PROGRESS: in_progress\nINFO_REQUESTED: info_requested\nANSWERED: answered\nRESOLVED: resolved\nCLOSED: closed\nREJECTED: rejected\nDUPLICATE: duplicate",
                        enum_type=Status,
                        max_length=20,
                    ),
                ),
                (
                    "priority",
                    fields.CharEnumField(
                        default=Priority.NORMAL,
                        description="URGENT: urgent\nNORMAL: normal\nCOMPLEX: complex",
                        enum_type=Priority,
                        max_length=10,
                    ),
                ),
                (
                    "channel",
                    fields.CharEnumField(
                        default=Channel.MOBILE,
                        description="MOBILE: mobile\nWEB: web\nHOTLINE: hotline\nEMAIL: email\nLETTER: letter\nCOUNTER: counter\nOPEN311: open311",
                        enum_type=Channel,
                        max_length=10,
                    ),
                ),
                ("lat", fields.FloatField(null=True)),
                ("lon", fields.FloatField(null=True)),
                ("address", fields.CharField(default="", max_length=500)),
                (
                    "admin_unit",
                    fields.ForeignKeyField(
                        "models.AdminUnit",
                        source_field="admin_unit_id",
                        null=True,
                        db_constraint=True,
                        to_field="code",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("contact_name", fields.CharField(null=True, max_length=200)),
                ("contact_phone", fields.CharField(null=True, max_length=32)),
                ("contact_email", fields.CharField(null=True, max_length=254)),
                ("is_anonymous", fields.BooleanField(default=True)),
                ("device_id", fields.CharField(null=True, max_length=200)),
                ("is_public", fields.BooleanField(default=True)),
                ("answer", fields.TextField(null=True, unique=False)),
                ("answered_at", UtcDatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("resolved_at", UtcDatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("version", fields.IntField(default=1)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "feedback",
                "app": "models",
                "indexes": [
                    Index(fields=["status", "created_at"]),
                    Index(fields=["is_public", "resolved_at"]),
                    Index(fields=["category_id", "created_at"]),
                    Index(fields=["admin_unit_id", "created_at"]),
                    Index(fields=["channel", "created_at"]),
                    Index(fields=["created_at"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Attachment",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "feedback",
                    fields.ForeignKeyField(
                        "models.Feedback",
                        source_field="feedback_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="attachments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("storage_key", fields.CharField(unique=True, max_length=255)),
                ("filename", fields.CharField(max_length=255)),
                ("content_type", fields.CharField(max_length=100)),
                ("kind", fields.CharField(max_length=10)),
                ("size", fields.BigIntField()),
                ("sha256", fields.CharField(max_length=64)),
                ("width", fields.IntField(null=True)),
                ("height", fields.IntField(null=True)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "attachment", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="FeedbackEvent",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "feedback",
                    fields.ForeignKeyField(
                        "models.Feedback",
                        source_field="feedback_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="events",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("action", fields.CharField(max_length=32)),
                (
                    "from_status",
                    fields.CharEnumField(
                        null=True,
                        description="RECEIVED: received\nASSIGNED: assigned\nIN_PROGRESS: in_progress\nINFO_REQUESTED: info_requested\nANSWERED: answered\nRESOLVED: resolved\nCLOSED: closed\nREJECTED: rejected\nDUPLICATE: duplicate",
                        enum_type=Status,
                        max_length=20,
                    ),
                ),
                (
                    "to_status",
                    fields.CharEnumField(
                        null=True,
                        description="RECEIVED: received\nASSIGNED: assigned\nIN_PROGRESS: in_progress\nINFO_REQUESTED: info_requested\nANSWERED: answered\nRESOLVED: resolved\nCLOSED: closed\nREJECTED: rejected\nDUPLICATE: duplicate",
                        enum_type=Status,
                        max_length=20,
                    ),
                ),
                ("note", fields.TextField(default="", unique=False)),
                ("is_public", fields.BooleanField(default=False)),
                ("actor", fields.CharField(null=True, max_length=150)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "feedback_event",
                "app": "models",
                "indexes": [Index(fields=["feedback_id", "id"])],
                "pk_attr": "id",
                "table_description": "One immutable line of a report's history.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="IdempotencyRecord",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("key", fields.CharField(unique=True, max_length=255)),
                ("request_hash", fields.CharField(max_length=64)),
                (
                    "feedback",
                    fields.ForeignKeyField(
                        "models.Feedback",
                        source_field="feedback_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("response", fields.JSONField(encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "idempotency_record",
                "app": "models",
                "indexes": [Index(fields=["created_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Rating",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "feedback",
                    fields.OneToOneField(
                        "models.Feedback",
                        source_field="feedback_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="rating",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("score", fields.SmallIntField()),
                ("comment", fields.TextField(default="", unique=False)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "rating",
                "app": "models",
                "pk_attr": "id",
                "table_description": "The citizen's rating of the answer: one per report, enforced by the key.",
            },
            bases=["Model"],
        ),
    ]
