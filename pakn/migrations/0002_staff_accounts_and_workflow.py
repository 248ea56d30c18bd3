import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from pakn.domain.roles import Role
from pakn.models.fields import UtcDatetimeField


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Agency",
            fields=[
                ("code", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ("name", fields.CharField(max_length=200)),
                (
                    "emails",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("is_active", fields.BooleanField(default=True)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "agency", "app": "models", "pk_attr": "code"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SignInThrottle",
            fields=[
                ("key", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=200)),
                ("failures", fields.IntField(default=0)),
                ("window_started_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("blocked_until", UtcDatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "sign_in_throttle",
                "app": "models",
                "pk_attr": "key",
                "table_description": 'Failed sign-ins per account ("user:NAME") and per address ("ip:ADDR").',
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StaffUser",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("username", fields.CharField(unique=True, max_length=150)),
                ("full_name", fields.CharField(default="", max_length=200)),
                ("email", fields.CharField(null=True, max_length=254)),
                ("password_hash", fields.CharField(max_length=255)),
                (
                    "role",
                    fields.CharEnumField(
                        description="ADMIN: admin\nCOORDINATOR: coordinator\nHANDLER: handler\nVIEWER: viewer",
                        enum_type=Role,
                        max_length=16,
                    ),
                ),
                (
                    "agency",
                    fields.ForeignKeyField(
                        "models.Agency",
                        source_field="agency_id",
                        null=True,
                        db_constraint=True,
                        to_field="code",
                        related_name="staff",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("is_active", fields.BooleanField(default=True)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("last_login_at", UtcDatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "staff_user", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StaffToken",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.StaffUser",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_at", UtcDatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "staff_token",
                "app": "models",
                "indexes": [Index(fields=["user_id", "revoked_at"])],
                "pk_attr": "id",
                "table_description": "A bearer token, stored as its SHA-256 only. Revoked or expired tokens stay",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Supplement",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "feedback",
                    fields.ForeignKeyField(
                        "models.Feedback",
                        source_field="feedback_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="supplements",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("content", fields.TextField(unique=False)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "supplement",
                "app": "models",
                "pk_attr": "id",
                "table_description": "What the citizen adds when staff ask for more information.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Attachment",
            name="supplement",
            field=fields.ForeignKeyField(
                "models.Supplement",
                source_field="supplement_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="attachments",
                on_delete=OnDelete.CASCADE,
            ),
        ),
        ops.AddField(
            model_name="Feedback",
            name="agency",
            field=fields.ForeignKeyField(
                "models.Agency",
                source_field="agency_id",
                null=True,
                db_constraint=True,
                to_field="code",
                related_name=False,
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.AddField(
            model_name="Feedback",
            name="assigned_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="closed_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="deadline",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="duplicate_of",
            field=fields.ForeignKeyField(
                "models.Feedback",
                source_field="duplicate_of_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="duplicates",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.AddField(
            model_name="Feedback",
            name="info_requested_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="reject_reason",
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name="Feedback",
            name="rejected_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="search_text",
            field=fields.TextField(default="", unique=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="started_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="urgent",
            field=fields.BooleanField(default=False),
        ),
        ops.AddIndex(
            model_name="Feedback",
            index=Index(fields=["agency_id", "status", "created_at"]),
        ),
        ops.AddIndex(
            model_name="Feedback",
            index=Index(fields=["status", "deadline"]),
        ),
        ops.AddField(
            model_name="FeedbackEvent",
            name="actor_user",
            field=fields.ForeignKeyField(
                "models.StaffUser",
                source_field="actor_user_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.AddField(
            model_name="FeedbackEvent",
            name="details",
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
        ),
    ]
