"""The audit log moves from ``customers`` to ``core``: the table is renamed, every row kept,
and its append-only triggers are re-made under the new table's name."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD = "customers_auditentry"
NEW = "guanxi_core_auditentry"


def _drop_triggers(schema_editor, table):
    if schema_editor.connection.vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


def _create_triggers(schema_editor, table):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
            )
    elif vendor == "postgresql":
        # guanxi_audit_append_only() was created by customers 0002 and stays.
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION guanxi_audit_append_only();"
        )


def _move(schema_editor, source, target):
    # Triggers first: SQLite rewrites a trigger's table on rename but keeps its old name.
    _drop_triggers(schema_editor, source)
    schema_editor.execute(f"ALTER TABLE {source} RENAME TO {target}")
    _create_triggers(schema_editor, target)


def forwards(apps, schema_editor):
    _move(schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _move(schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("customers", "0003_merges"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="时间")),
                        ("actor_username", models.CharField(max_length=150, verbose_name="操作人")),
                        ("action", models.CharField(choices=[("reveal", "查看明文"), ("export", "导出")], max_length=16, verbose_name="操作")),
                        ("fields", models.CharField(max_length=200, verbose_name="字段")),
                        ("subject", models.CharField(max_length=200, verbose_name="对象")),
                        ("row_count", models.PositiveIntegerField(default=1, verbose_name="条数")),
                        ("actor", models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"verbose_name": "审计记录", "ordering": ["-at", "-id"]},
                ),
            ],
        ),
    ]
