from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = _("Results")

    def ready(self):
        from django.db.backends.signals import connection_created

        from results.integrity import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="results.sqlite_functions")
