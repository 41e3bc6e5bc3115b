from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators, schemes and scoring")

    def ready(self):
        from indicators.reminders import rating_reminders
        from notifications.reminders import reminder_rule_register

        reminder_rule_register("ratings", rating_reminders)
