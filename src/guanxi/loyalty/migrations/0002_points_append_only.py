"""The points ledger's entries and allocations refuse UPDATE (database triggers): a balance
is the sum of what was written, so nothing written may change. DELETE stays allowed, for
the PIPL erasure that deletes a customer and their ledger with them."""

from django.db import migrations

TABLES = ("loyalty_pointsentry", "loyalty_pointsallocation")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION guanxi_points_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the points ledger is append-only'; END; $$ LANGUAGE plpgsql;"
        )
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END;"
            )
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION guanxi_points_append_only();"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS guanxi_points_append_only()")


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_points_ledger")]
    operations = [migrations.RunPython(forwards, backwards)]
