from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators, schemes and scoring")

    def ready(self):
        from django.db.models.signals import post_migrate

        from indicators.reference_data import catalogue_ensure

        # Sent for every app after migrate and after a flush; the receiver only fills in what is missing.
        post_migrate.connect(catalogue_ensure, dispatch_uid="indicators.catalogue")

        from indicators.reminders import rating_reminders
        from notifications.reminders import reminder_rule_register

        reminder_rule_register("ratings", rating_reminders)

        from indicators.job_handlers import register_whatif_job

        register_whatif_job()
