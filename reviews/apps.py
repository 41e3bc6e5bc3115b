from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Assessment organisation and quarters")

    def ready(self):
        from django.db.models.signals import post_migrate

        from reviews import staff_changes
        from reviews.reference_data import reference_data_ensure

        # Regulation 二.1/二.2: every change of a person's groups, duties or place is recorded, whatever made it.
        staff_changes.connect()

        # Sent for every app after migrate and after a flush; the receiver only fills in what is missing.
        post_migrate.connect(reference_data_ensure, dispatch_uid="reviews.reference_data")
