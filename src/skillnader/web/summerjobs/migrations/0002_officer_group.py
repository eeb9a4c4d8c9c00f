"""The group "Feriejobbshandläggare" with the permission to see and handle applications."""

from django.db import migrations


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct, _ = ContentType.objects.get_or_create(app_label="summerjobs", model="round")
    perm, _ = Permission.objects.get_or_create(
        content_type=ct,
        codename="handle_applications",
        defaults={"name": "Can see and handle summer-job applications"},
    )
    group, _ = Group.objects.get_or_create(name="Feriejobbshandläggare")
    group.permissions.add(perm)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Feriejobbshandläggare").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("summerjobs", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
