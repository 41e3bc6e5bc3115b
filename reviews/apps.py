from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Assessment organisation and quarters")

    def ready(self):
        from django.db.models.signals import post_migrate, post_save

        from lawfirm_kpi.security import on_quarter_event
        from reviews import staff_changes
        from reviews.models import QuarterEvent
        from reviews.reference_data import groups_ensure

        # Sent for every app after migrate and after a flush; the receiver only fills in what is missing.
        post_migrate.connect(groups_ensure, dispatch_uid="reviews.groups")

        # Regulation 二.1/二.2: every change of a person's groups, duties or place is recorded, whatever made it.
        staff_changes.connect()

        # Every step of a quarter's life (approvals, returns, publications) goes into the security log too.
        post_save.connect(on_quarter_event, sender=QuarterEvent, dispatch_uid="security.quarter_event")
