"""The industry averages now belong to ``store`` (its migration 0001 renamed the table):
forget them here without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0003_shopsettings_platform_rules"),
        ("store", "0001_industry_averages"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IndustryAverage")],
        ),
    ]
