from tortoise import migrations
from tortoise.migrations import operations as ops
from pakn.models.fields import UtcDatetimeField
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_agency_period_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Feedback',
            name='assess_after',
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Feedback',
            name='assess_attempts',
            field=fields.SmallIntField(default=0),
        ),
        ops.AddField(
            model_name='Feedback',
            name='assessed_at',
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Feedback',
            name='client_address',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddIndex(
            model_name='Feedback',
            index=Index(fields=['assess_after']),
        ),
        ops.AddIndex(
            model_name='Feedback',
            index=Index(fields=['device_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Feedback',
            index=Index(fields=['client_address', 'created_at']),
        ),
    ]
