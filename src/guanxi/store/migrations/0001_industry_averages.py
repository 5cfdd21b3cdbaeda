"""The industry averages move from ``performance`` to ``store``: the table is renamed and
every row kept."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("performance", "0003_shopsettings_platform_rules")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE performance_industryaverage RENAME TO store_industryaverage",
                    "ALTER TABLE store_industryaverage RENAME TO performance_industryaverage",
                )
            ],
            state_operations=[
                migrations.CreateModel(
                    name="IndustryAverage",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("month", models.DateField(verbose_name="月份")),
                        ("dimension", models.CharField(choices=[("description", "宝贝与描述相符"), ("service", "卖家的服务态度"), ("logistics", "物流服务")], max_length=16, verbose_name="维度")),
                        ("value", models.DecimalField(decimal_places=3, max_digits=5, verbose_name="行业均值")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "行业均值",
                        "ordering": ["month", "dimension"],
                        "constraints": [
                            models.UniqueConstraint(fields=("month", "dimension"), name="unique_industry_month"),
                            models.CheckConstraint(condition=models.Q(("value__gte", 1), ("value__lte", 5)), name="industry_1_to_5"),
                        ],
                    },
                ),
            ],
        ),
    ]
