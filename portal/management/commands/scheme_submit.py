"""python manage.py scheme_submit 2026Q3 --by USERNAME: hand the quarter's draft scheme to the leadership group.

The same step as "Submit for approval" on the scheme's page (indicators.schemes.scheme_submit), recorded under
--by, an execution-group member (regulation 二.2). A scheme with problems is refused with the list of them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.models import Scheme
from indicators.schemes import SchemeStateError, scheme_submit
from lawfirm_kpi.text import sentences_join
from portal.management.commands._steps import acting_user, refusal_text, require_group
from reviews.selectors import quarter_from_code


def latest_scheme(quarter, status):
    return Scheme.objects.filter(quarter=quarter, status=status).order_by("-version").first()


class Command(BaseCommand):
    help = "Submit the quarter's draft scheme to the leadership group, recorded under --by (execution group)."

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="the quarter, e.g. 2026Q3")
        parser.add_argument("--by", metavar="USERNAME", help="the execution-group member who submits it")
        parser.add_argument("--comment", default="", help="a note recorded with the submission")

    def handle(self, *args, **options):
        quarter = quarter_from_code(options["quarter"])
        by = acting_user(
            options["by"],
            missing=_(
                "Say who submits the scheme: --by USERNAME, a member of the execution group. "
                "The step is recorded under that name."
            ),
        )
        require_group(by, leadership=False)
        scheme = latest_scheme(quarter, Scheme.Status.DRAFT)
        if scheme is None:
            if latest_scheme(quarter, Scheme.Status.SUBMITTED) is not None:
                hint = _(
                    "Its scheme is already submitted: a member of the leadership group who did not draft it approves "
                    "it on the scheme's page or with `manage.py scheme_approve %(quarter)s --by …`."
                )
            else:
                hint = _(
                    "Start a draft on the Schemes page, or start the quarter with "
                    "`manage.py quarter_start %(quarter)s --by …`."
                )
            raise CommandError(
                refusal_text(
                    sentences_join(
                        [
                            _("%(quarter)s has no draft scheme to submit.") % {"quarter": quarter.code},
                            hint % {"quarter": quarter.code},
                        ]
                    )
                )
            )
        try:
            scheme_submit(scheme=scheme, by=by, comment=options["comment"])
        except (SchemeStateError, ValidationError, PermissionDenied) as error:
            raise CommandError(refusal_text(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Version %(version)s of the %(quarter)s scheme is submitted to the leadership group; a member "
                    "who did not draft it approves it with `manage.py scheme_approve %(quarter)s --by …`."
                )
                % {"version": scheme.version, "quarter": quarter.code}
            )
        )
