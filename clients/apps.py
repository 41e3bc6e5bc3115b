from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Department data")

    def ready(self):
        from clients.importing.job_handlers import register_import_jobs

        register_import_jobs()
