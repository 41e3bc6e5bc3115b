"""Reference rows the product cannot run without: the regulation's two groups and the indicator catalogue.

Migrations load them once; a database flush (every transactional test, `manage.py flush`) removes them, and
Django then sends post_migrate. Recreating them there, idempotently, keeps every database usable.
"""

import importlib

from django.db import connections

# The groups and their permissions are written down once, in the migration that first created them.
GROUP_PERMISSIONS = importlib.import_module("reviews.migrations.0002_groups").GROUP_PERMISSIONS


def reference_data_ensure(*, using="default", **kwargs):
    """post_migrate receiver: create what is missing, change nothing that exists."""
    from django.contrib.auth.models import Group, Permission

    from indicators.catalogue import catalogue_sync
    from indicators.models import Indicator

    tables = set(connections[using].introspection.table_names())
    if not {Group._meta.db_table, Permission._meta.db_table, Indicator._meta.db_table} <= tables:
        return
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        for app_label, codename in perms:
            permission = (
                Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            )
            if permission is not None:
                group.permissions.add(permission)
    if Indicator.objects.using(using).count() < 9:
        catalogue_sync()
