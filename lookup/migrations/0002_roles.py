"""Create the roles (groups) with their permissions, so `migrate` sets access control up.

Permissions are normally created after all migrations (post_migrate), so the ones the roles need
are created here if missing, exactly as Django would name them.
"""

from django.db import migrations

ROLE_PERMISSIONS = {
    "Support agent": ["lookup.search_phone", "lookup.view_customer"],
    "Support lead": ["lookup.search_phone", "lookup.view_customer", "lookup.unlink_phone"],
    "Admin": [
        "lookup.search_phone",
        "lookup.view_customer",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "lookup.view_auditentry",
        "lookup.view_apiclient",
        "lookup.add_apiclient",
        "lookup.change_apiclient",
    ],
}

PERMISSION_MODELS = {
    "search_phone": ("phonelookupaccess", "Can search customers by phone"),
    "view_customer": ("phonelookupaccess", "Can view a customer's details and linked numbers"),
    "unlink_phone": ("phonelookupaccess", "Can unlink and restore order-derived phone links"),
    "view_user": ("user", "Can view user"),
    "add_user": ("user", "Can add user"),
    "change_user": ("user", "Can change user"),
    "view_group": ("group", "Can view group"),
    "view_auditentry": ("auditentry", "Can view audit entry"),
    "view_apiclient": ("apiclient", "Can view API client"),
    "add_apiclient": ("apiclient", "Can add API client"),
    "change_apiclient": ("apiclient", "Can change API client"),
}


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for role, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            model, name = PERMISSION_MODELS[codename]
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": name}
            )
            group.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lookup", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
