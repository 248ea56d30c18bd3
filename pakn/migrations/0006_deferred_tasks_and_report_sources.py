from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from pakn.models.fields import UtcDatetimeField


class Migration(migrations.Migration):
    dependencies = [("models", "0005_agency_period_index")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DeferredTask",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("kind", fields.CharField(max_length=32)),
                ("subject_id", fields.BigIntField()),
                ("due_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
                ("attempts", fields.SmallIntField(default=0)),
                ("created_at", UtcDatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "deferred_task",
                "app": "models",
                "unique_together": (("kind", "subject_id"),),
                "indexes": [Index(fields=["kind", "due_at"])],
                "pk_attr": "id",
                "table_description": "Work owed after a commit, such as the triage assessment of a new report:",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Feedback",
            name="assessed_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="client_address",
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddIndex(
            model_name="Feedback",
            index=Index(fields=["device_id", "created_at"]),
        ),
        ops.AddIndex(
            model_name="Feedback",
            index=Index(fields=["client_address", "created_at"]),
        ),
    ]
