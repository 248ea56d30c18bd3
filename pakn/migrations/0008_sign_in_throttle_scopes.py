"""The sign-in throttle by scope (issue 11, item 5): rows per account, per
address and per account-and-address pair, with the last failure (counts restart
after a quiet spell; old rows expire) and the last successful sign-in of a pair.
Existing counts carry over, named by account or address so that `pakn user
unlock` finds them; without a last failure they restart at the next one."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from pakn.models.fields import UtcDatetimeField


class Migration(migrations.Migration):
    dependencies = [("models", "0007_drop_unused_search_text_index")]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name="SignInThrottle",
            options={
                "table": "sign_in_throttle",
                "app": "models",
                "indexes": [Index(fields=["account"])],
                "pk_attr": "key",
                "table_description": "Failed sign-ins of one scope (pakn/accounts/throttle.py): an account",
            },
        ),
        ops.AddField(
            model_name="SignInThrottle",
            name="account",
            field=fields.CharField(null=True, max_length=150),
        ),
        ops.AddField(
            model_name="SignInThrottle",
            name="address",
            field=fields.CharField(null=True, max_length=190),
        ),
        ops.AddField(
            model_name="SignInThrottle",
            name="last_failed_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="SignInThrottle",
            name="signed_in_at",
            field=UtcDatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunSQL(
            [
                "UPDATE sign_in_throttle SET account = substr(key, 6) WHERE key LIKE 'user:%'",
                "UPDATE sign_in_throttle SET address = substr(key, 4) WHERE key LIKE 'ip:%'",
            ],
            reverse_sql="SELECT 1",
        ),
        ops.RemoveField(model_name="SignInThrottle", name="window_started_at"),
        ops.AddIndex(
            model_name="SignInThrottle",
            index=Index(fields=["account"]),
        ),
    ]
