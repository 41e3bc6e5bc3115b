"""The regulation's two groups (二.1 leadership, 二.2 execution) with the permissions their duties need."""

from django.db import migrations

# Model permissions each group needs in the admin; the product's own pages check group membership.
GROUP_PERMISSIONS = {
    "leadership": [
        ("reviews", "view_department"),
        ("reviews", "view_staffprofile"),
        ("reviews", "view_quarter"),
        ("reviews", "view_scorecard"),
        ("clients", "view_client"),
        ("clients", "view_contract"),
        ("clients", "view_revenueentry"),
        ("clients", "view_complaint"),
        ("clients", "view_satisfactionsurvey"),
    ],
    "execution": [
        ("reviews", "view_department"),
        ("reviews", "add_department"),
        ("reviews", "change_department"),
        ("reviews", "view_staffprofile"),
        ("reviews", "add_staffprofile"),
        ("reviews", "change_staffprofile"),
        ("reviews", "view_quarter"),
        ("reviews", "view_scorecard"),
        ("clients", "view_client"),
        ("clients", "view_contract"),
        ("clients", "view_revenueentry"),
        ("clients", "view_complaint"),
        ("clients", "view_satisfactionsurvey"),
    ],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        # The historical models (apps=apps): later migrations move models between apps.
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("clients", "0002_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
