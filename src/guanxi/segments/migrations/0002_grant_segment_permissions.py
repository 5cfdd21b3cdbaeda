"""Give installations set up before segments existed the segment permissions: admins,
managers and marketing (accounts.roles); ``roles_ensure`` does the same for new ones."""

from django.db import migrations

GROUPS = ("admin", "manager", "marketing")
PERMISSIONS = {
    "view_segment": "Can view 客户分群",
    "add_segment": "Can add 客户分群",
    "change_segment": "Can change 客户分群",
    "delete_segment": "Can delete 客户分群",
    "export_segment": "Can export a segment's members (always masked)",
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="segments", model="segment")
    permissions = [
        Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in PERMISSIONS.items()
    ]
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0001_segment"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
