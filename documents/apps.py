from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Feedback documents and reports")

    def ready(self):
        from documents import receivers  # noqa: F401 — feedback documents follow publication and corrections
