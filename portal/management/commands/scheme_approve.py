"""python manage.py scheme_approve 2026Q3 --by USERNAME: the leadership group approves the submitted scheme.

The same step as "Approve" on the scheme's page (indicators.schemes.scheme_approve), recorded under --by, a
leadership-group member who did not draft, edit or submit it (regulation 二.1, four eyes)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.models import Scheme
from indicators.schemes import SchemeStateError, scheme_approve
from lawfirm_kpi.text import sentences_join
from portal.management.commands._steps import acting_user, refusal_text, require_group
from reviews.selectors import quarter_from_code


class Command(BaseCommand):
    help = "Approve the quarter's submitted scheme, recorded under --by (leadership group, not its drafter)."

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="the quarter, e.g. 2026Q3")
        parser.add_argument("--by", metavar="USERNAME", help="the leadership-group member who approves it")
        parser.add_argument("--comment", default="", help="a note recorded with the approval")

    def handle(self, *args, **options):
        quarter = quarter_from_code(options["quarter"])
        by = acting_user(
            options["by"],
            missing=_(
                "Say who approves the scheme: --by USERNAME, a member of the leadership group who did not draft it. "
                "The step is recorded under that name."
            ),
        )
        require_group(by, leadership=True)
        scheme = Scheme.objects.filter(quarter=quarter, status=Scheme.Status.SUBMITTED).order_by("-version").first()
        if scheme is None:
            raise CommandError(
                refusal_text(
                    sentences_join(
                        [
                            _("%(quarter)s has no scheme waiting for approval.") % {"quarter": quarter.code},
                            _(
                                "The execution group submits the draft on the scheme's page or with "
                                "`manage.py scheme_submit %(quarter)s --by …`."
                            )
                            % {"quarter": quarter.code},
                        ]
                    )
                )
            )
        try:
            scheme_approve(scheme=scheme, by=by, comment=options["comment"])
        except (SchemeStateError, ValidationError, PermissionDenied) as error:
            raise CommandError(refusal_text(error)) from None
        quarter.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Version %(version)s of the %(quarter)s scheme is approved. Once the quarter has ended, the "
                    "execution group starts collecting data on the quarter's page or with "
                    "`manage.py quarter_collect %(quarter)s --by …`."
                )
                % {"version": scheme.version, "quarter": quarter.code}
            )
        )
