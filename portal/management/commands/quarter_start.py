"""python manage.py quarter_start 2026Q3 --by USERNAME: start a quarter with its draft scheme (docs/first-quarter.md).

The same step as "Start a quarter" on the Schemes page: the quarter is created in the 'scheme draft' state with a
draft scheme copied from the last approved one (or the default scheme), recorded under --by, an execution-group
member (regulation 二.2: the execution group drafts the scheme)."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.schemes import SchemeStateError, scheme_start_for_quarter
from lawfirm_kpi.text import sentences_join
from portal.management.commands._steps import acting_user, refusal_text, require_group
from reviews.models import Quarter
from reviews.services import quarter_get_or_create


class Command(BaseCommand):
    help = "Start a quarter with a draft scheme, recorded under --by (an execution-group member)."

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="the quarter, e.g. 2026Q3")
        parser.add_argument("--by", metavar="USERNAME", help="the execution-group member who starts it")

    def handle(self, *args, **options):
        try:
            year, number = Quarter.parse_code(options["quarter"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        by = acting_user(
            options["by"],
            missing=_(
                "Say who starts the quarter: --by USERNAME, a member of the execution group. "
                "The step is recorded under that name."
            ),
        )
        require_group(by, leadership=False)
        try:
            with transaction.atomic():
                quarter = quarter_get_or_create(year=year, number=number)
                scheme = scheme_start_for_quarter(quarter=quarter, by=by)
        except SchemeStateError as error:
            raise CommandError(
                refusal_text(
                    _(
                        "%(error)s Edit its draft on the Schemes page, then hand it to the leadership group with "
                        "`manage.py scheme_submit %(quarter)s --by …`."
                    )
                    % {"error": error, "quarter": f"{year}Q{number}"}
                )
            ) from None
        except PermissionDenied as error:
            raise CommandError(refusal_text(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                sentences_join(
                    [
                        _("%(quarter)s is started with draft scheme v%(version)s.")
                        % {"quarter": quarter.code, "version": scheme.version},
                        scheme.note,
                        _(
                            "Review it on the Schemes page, then submit it with "
                            "`manage.py scheme_submit %(quarter)s --by …`."
                        )
                        % {"quarter": quarter.code},
                    ]
                )
            )
        )
