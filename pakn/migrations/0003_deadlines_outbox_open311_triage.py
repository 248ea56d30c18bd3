import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from pakn.models.fields import UtcDatetimeField


class Migration(migrations.Migration):
    dependencies = [("models", "0002_staff_accounts_and_workflow")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ApiClient",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(max_length=200)),
                ("key_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_at", UtcDatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("last_used_at", UtcDatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "api_client",
                "app": "models",
                "pk_attr": "id",
                "table_description": "An Open311 client application and its API key (stored as SHA-256).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="DeadlineNotice",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "feedback",
                    fields.ForeignKeyField(
                        "models.Feedback",
                        source_field="feedback_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="deadline_notices",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("threshold", fields.CharField(max_length=16)),
                ("deadline", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "deadline_notice",
                "app": "models",
                "unique_together": (("feedback_id", "threshold", "deadline"),),
                "pk_attr": "id",
                "table_description": "One warning (due soon) or escalation (overdue) per report, deadline and threshold.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="OutboxMessage",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("dedupe_key", fields.CharField(unique=True, max_length=255)),
                ("kind", fields.CharField(max_length=32)),
                (
                    "recipients",
                    fields.JSONField(encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
                ),
                ("subject", fields.CharField(max_length=500)),
                ("body_text", fields.TextField(unique=False)),
                ("body_html", fields.TextField(null=True, unique=False)),
                ("status", fields.CharField(default="queued", max_length=10)),
                ("attempts", fields.IntField(default=0)),
                ("next_attempt_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("locked_until", UtcDatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("last_error", fields.TextField(null=True, unique=False)),
                ("message_id", fields.CharField(null=True, max_length=255)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("sent_at", UtcDatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "outbox_message",
                "app": "models",
                "indexes": [Index(fields=["status", "next_attempt_at"])],
                "pk_attr": "id",
                "table_description": "An e-mail written in the same transaction as the change that causes it,",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="TriageModel",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("kind", fields.CharField(max_length=32)),
                ("payload", fields.BinaryField()),
                (
                    "metrics",
                    fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
                ),
                ("trained_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "triage_model",
                "app": "models",
                "indexes": [Index(fields=["kind", "trained_at"])],
                "pk_attr": "id",
                "table_description": "A trained category model, kept in the database so every replica loads the same.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="WorkDay",
            fields=[
                ("day", fields.DateField(primary_key=True, unique=True, db_index=True)),
                ("is_working", fields.BooleanField()),
                ("ordinal", fields.IntField()),
                ("name", fields.CharField(default="", max_length=200)),
            ],
            options={
                "table": "work_day",
                "app": "models",
                "pk_attr": "day",
                "table_description": "The working calendar as a table, so that SQL can count working days:",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Feedback",
            name="api_client",
            field=fields.ForeignKeyField(
                "models.ApiClient",
                source_field="api_client_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.AddField(
            model_name="Feedback",
            name="attributes",
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
        ),
        ops.AddField(
            model_name="Feedback",
            name="deadline_kind",
            field=fields.CharField(null=True, max_length=10),
        ),
        ops.AddField(
            model_name="Feedback",
            name="due_soon_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="handled_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="media_url",
            field=fields.CharField(null=True, max_length=1000),
        ),
        ops.AddField(
            model_name="Feedback",
            name="search_compact",
            field=fields.TextField(default="", unique=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="suggested_category",
            field=fields.ForeignKeyField(
                "models.Category",
                source_field="suggested_category_id",
                null=True,
                db_constraint=True,
                to_field="code",
                related_name=False,
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.AddField(
            model_name="Feedback",
            name="suggestions",
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
        ),
        ops.AddIndex(
            model_name="Feedback",
            index=Index(fields=["status", "due_soon_at"]),
        ),
        ops.AddIndex(
            model_name="Feedback",
            index=Index(fields=["handled_at"]),
        ),
    ]
