"""Reference rows the organisation cannot run without: the regulation's two groups (二.1, 二.2) and their permissions.

Migrations load them once; a database flush (every transactional test, `manage.py flush`) removes them, and
Django then sends post_migrate. Recreating them there, idempotently, keeps every database usable.
"""

import importlib

from django.db import connections

# The groups and their permissions are written down once, in the migration that first created them.
GROUP_PERMISSIONS = importlib.import_module("reviews.migrations.0002_groups").GROUP_PERMISSIONS


def groups_ensure(*, using="default", **kwargs):
    """post_migrate receiver: create the groups and permissions that are missing, change nothing that exists."""
    from django.contrib.auth.models import Group, Permission

    tables = set(connections[using].introspection.table_names())
    if not {Group._meta.db_table, Permission._meta.db_table} <= tables:
        return
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        for app_label, codename in perms:
            permission = (
                Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            )
            if permission is not None:
                group.permissions.add(permission)
