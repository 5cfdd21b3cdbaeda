"""The audit log now belongs to ``core`` (its migration 0001 renamed the table): forget it
here without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_merges"), ("guanxi_core", "0001_audit_log")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
        ),
    ]
