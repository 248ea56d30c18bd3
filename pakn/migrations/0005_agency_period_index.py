from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0004_search_trigram_indexes")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="Feedback",
            index=Index(fields=["agency_id", "created_at"]),
        ),
    ]
