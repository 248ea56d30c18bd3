"""Devices and the citizen's channels (issue 14): the device table, the report's
device, accepted channels and read marker, the outbox's channel and payload.
Reports from before keep being told by e-mail where they gave an address: that
was the only channel, and it was implied."""

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.db_defaults import SqlDefault
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from pakn.models.fields import UtcDatetimeField


class Migration(migrations.Migration):
    dependencies = [("models", "0008_sign_in_throttle_scopes")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Device",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("public_id", fields.CharField(unique=True, max_length=40)),
                ("secret_hash", fields.CharField(unique=True, max_length=64)),
                ("platform", fields.CharField(max_length=10)),
                ("push_token", fields.TextField(null=True, unique=False)),
                ("locale", fields.CharField(default="vi", max_length=2)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("last_seen_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_at", UtcDatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "device", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Feedback",
            name="app_device",
            field=fields.ForeignKeyField(
                "models.Device",
                source_field="app_device_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.AddField(
            model_name="Feedback",
            name="citizen_read_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="notify",
            field=fields.JSONField(
                default=list,
                db_default=SqlDefault("'[]'"),
                encoder=functools.partial(dumps, separators=(",", ":")),
                decoder=loads,
            ),
        ),
        ops.AddField(
            model_name="Feedback",
            name="public_changed_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name="Feedback",
            index=Index(fields=["app_device_id", "id"]),
        ),
        ops.AlterModelOptions(
            name="OutboxMessage",
            options={
                "table": "outbox_message",
                "app": "models",
                "indexes": [Index(fields=["status", "next_attempt_at"]), Index(fields=["channel", "status"])],
                "pk_attr": "id",
                "table_description": "A message written in the same transaction as the change that causes it,",
            },
        ),
        ops.AddField(
            model_name="OutboxMessage",
            name="channel",
            field=fields.CharField(default="email", db_default="email", max_length=10),
        ),
        ops.AddField(
            model_name="OutboxMessage",
            name="payload",
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
        ),
        ops.AddIndex(
            model_name="OutboxMessage",
            index=Index(fields=["channel", "status"]),
        ),
        ops.RunSQL(
            ["UPDATE feedback SET notify = '[\"email\"]' WHERE contact_email IS NOT NULL AND contact_email <> ''"],
            reverse_sql="SELECT 1",
        ),
    ]
