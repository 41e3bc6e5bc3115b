"""Django's flush, with the published-results triggers lifted while the whole database is emptied.

Emptying every table is the one operation allowed to remove published results (tests do it between transactional
tests); on SQLite it deletes row by row, which the triggers would otherwise refuse.
"""

from django.core.management.commands.flush import Command as FlushCommand

from results.integrity import whole_database_maintenance


class Command(FlushCommand):
    def handle(self, **options):
        with whole_database_maintenance():
            return super().handle(**options)
