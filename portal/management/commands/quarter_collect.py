"""python manage.py quarter_collect 2026Q3 --by USERNAME: open the quarter's data collection.

The same step as "Start collecting data" on the quarter's page (portal.quarter_services.quarter_start_collecting):
only once the quarter has ended (regulation 三.1) and its scheme is approved, recorded under --by, an
execution-group member (regulation 二.2)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.management.commands._steps import acting_user, refusal_text, require_group
from portal.quarter_services import quarter_start_collecting
from reviews.lifecycle import TransitionForbidden, TransitionRefused, state_label
from reviews.selectors import quarter_from_code


class Command(BaseCommand):
    help = "Start collecting the quarter's data, recorded under --by (an execution-group member)."

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="the quarter, e.g. 2026Q3")
        parser.add_argument("--by", metavar="USERNAME", help="the execution-group member who starts it")
        parser.add_argument("--comment", default="", help="a note recorded in the quarter's history")

    def handle(self, *args, **options):
        quarter = quarter_from_code(options["quarter"])
        by = acting_user(
            options["by"],
            missing=_(
                "Say who starts data collection: --by USERNAME, a member of the execution group. "
                "The step is recorded under that name."
            ),
        )
        require_group(by, leadership=False)
        try:
            quarter_start_collecting(quarter=quarter, by=by, comment=options["comment"], expected_state=quarter.state)
        except (TransitionRefused, TransitionForbidden) as error:
            raise CommandError(refusal_text(error)) from None
        quarter.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(quarter)s is now “%(state)s”; the step is recorded in its history under %(username)s. "
                    "Enter or import the departments' data, then compute the results with "
                    "`manage.py score_quarter %(quarter)s --by …`."
                )
                % {"quarter": quarter.code, "state": state_label(quarter.state), "username": by.get_username()}
            )
        )
