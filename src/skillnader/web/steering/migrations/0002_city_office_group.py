"""The group "Stadsledningskontoret" with the permission to edit the council's goals."""

from django.db import migrations


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct, _ = ContentType.objects.get_or_create(app_label="steering", model="goal")
    perm, _ = Permission.objects.get_or_create(
        content_type=ct,
        codename="edit_kf_goals",
        defaults={"name": "Can edit the city council's goals and review"},
    )
    group, _ = Group.objects.get_or_create(name="Stadsledningskontoret")
    group.permissions.add(perm)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Stadsledningskontoret").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("steering", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
