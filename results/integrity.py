"""The database's side of "published results never change" (docs/results.md): the one switch its triggers obey.

The triggers are created by results/migrations/0003_published_results_immutable.py. They let published rows be
changed only inside whole_database_maintenance(), which emptying the whole database uses (`manage.py flush`, the
demo's reset) and nothing else: on PostgreSQL it sets the transaction-local setting results.maintenance, on SQLite
it answers the function results_maintenance() that every Django connection registers.
"""

import contextlib
import threading

from django.db import DEFAULT_DB_ALIAS, connections

_maintenance = threading.local()


def in_maintenance() -> bool:
    return getattr(_maintenance, "on", False)


@contextlib.contextmanager
def whole_database_maintenance(using=DEFAULT_DB_ALIAS):
    """Lift the published-results triggers for this thread (and, on PostgreSQL, the current transaction)."""
    connection = connections[using]
    previous = in_maintenance()
    _maintenance.on = True
    postgres = connection.vendor == "postgresql" and connection.in_atomic_block
    try:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('results.maintenance', 'on', true)")
        yield
    finally:
        _maintenance.on = previous
        if postgres and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('results.maintenance', 'off', true)")


def register_sqlite_functions(sender, connection, **kwargs):
    """connection_created receiver: give SQLite connections the function the triggers call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "results_maintenance", 0, lambda: 1 if in_maintenance() else 0, deterministic=False
        )
