"""The indicator catalogue the scoring cannot run without (regulation 三.2).

The migration loads it once; a database flush (every transactional test, `manage.py flush`) removes it, and
Django then sends post_migrate. Recreating it there, idempotently, keeps every database usable.
"""

from django.db import connections


def catalogue_ensure(*, using="default", **kwargs):
    """post_migrate receiver: load the catalogue if it is missing, change nothing that exists."""
    from indicators.catalogue import catalogue_sync
    from indicators.models import Indicator

    if Indicator._meta.db_table not in set(connections[using].introspection.table_names()):
        return
    if Indicator.objects.using(using).count() < 9:
        catalogue_sync()
