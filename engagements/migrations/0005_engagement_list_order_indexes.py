# Indexes on the engagement lists' default order (docs/benchmarks.md, "API lists").

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("engagements", "0004_engagement_version"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="engagement",
            index=models.Index(
                fields=["-planned_start", "title", "id"], name="engagement_start_title_id"
            ),
        ),
        migrations.AddIndex(
            model_name="engagement",
            index=models.Index(
                fields=["organization", "-planned_start", "title", "id"],
                name="engagement_org_start_title_id",
            ),
        ),
    ]
