"""Give installations set up before the customer rules page the permission to change the
rules (``customers.change_customerruleset``): admins and managers (accounts.roles);
``roles_ensure`` does the same for new ones."""

from django.db import migrations

GROUPS = ("admin", "manager")


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="customers", model="customerruleset"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="change_customerruleset",
        defaults={"name": "Can change 客户规则"},
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_standing_pins_rules"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
