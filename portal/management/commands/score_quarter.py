"""python manage.py score_quarter 2026Q3 --by USERNAME: compute a quarter's results as a step of its life.

The command takes the same step as the button on the quarter's page (portal.quarter_services): a quarter that is
collecting data is scored (→ scored), a scored one is recomputed; the step is recorded in the quarter's history under
the execution-group member named by --by. In any other state it refuses and changes nothing, so results the
leadership group has received, approved or published are never replaced from the command line.

--scheme-draft only previews the draft scheme's results: it prints the same counts and stores nothing.
"""

from collections import Counter

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from indicators.computation import results_compute
from indicators.models import Scheme
from portal.quarter_services import quarter_recompute, quarter_score
from results.models import Scorecard
from reviews.lifecycle import TransitionForbidden, TransitionRefused, state_label
from reviews.models import QuarterState
from reviews.roles import roles_of
from reviews.selectors import quarter_from_code

# The quarter's state → the step that computes its results there (reviews/lifecycle.py, TRANSITIONS).
SCORING_STEPS = {QuarterState.COLLECTING: quarter_score, QuarterState.SCORED: quarter_recompute}


def execution_member(username):
    """The user named by --by; the quarter's history records the step under their name, as on the web page."""
    if not username:
        raise CommandError(
            _(
                "Say who computes the results: --by USERNAME, a member of the execution group. "
                "The step is recorded in the quarter's history under that name."
            )
        )
    user_model = get_user_model()
    user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}, is_active=True).first()
    if user is None:
        raise CommandError(_("There is no active user “%(username)s”.") % {"username": username})
    if not roles_of(user).is_execution:
        raise CommandError(
            _("%(username)s is not a member of the execution group, which alone computes the results.")
            % {"username": username}
        )
    return user


def refusal(quarter):
    """Why the quarter cannot be scored in its state, and what to do instead."""
    what_to_do = {
        QuarterState.SCHEME_DRAFT: _(
            "The leadership group must approve the scheme first; then the execution group starts collecting "
            "data on the quarter's page once the quarter has ended."
        ),
        QuarterState.SCHEME_APPROVED: _(
            "The execution group must first start collecting data on the quarter's page "
            "(possible once the quarter has ended)."
        ),
        QuarterState.SUBMITTED: _(
            "The results are with the leadership group; to change them, the leadership group returns them with a "
            "comment, and then they can be recomputed."
        ),
        QuarterState.APPROVED: _(
            "Approved results are final: publish them from the quarter's page; a person who disagrees with "
            "their result may then appeal."
        ),
    }.get(
        quarter.state,
        _("Published results are final: a person's result changes only when their appeal is upheld."),
    )
    return _("%(quarter)s is “%(state)s”: its results cannot be computed now. %(what_to_do)s Nothing was changed.") % {
        "quarter": quarter.code,
        "state": state_label(quarter.state),
        "what_to_do": what_to_do,
    }


class Command(BaseCommand):
    help = (
        "Compute a quarter's results as a step of its life: a quarter collecting data is scored, a scored one "
        "recomputed, recorded under --by (an execution-group member). Refused in any other state. "
        "--scheme-draft previews the draft scheme and stores nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="the quarter, e.g. 2026Q3")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="the execution-group member who computes the results (required unless --scheme-draft)",
        )
        parser.add_argument("--comment", default="", help="a note recorded with the step in the quarter's history")
        parser.add_argument(
            "--incomplete-data-reason",
            default="",
            metavar="REASON",
            help="compute although the completeness board lists missing data, for this reason (recorded with the "
            "list of what is missing in the quarter's history); without it such a quarter is refused",
        )
        parser.add_argument(
            "--scheme-draft",
            action="store_true",
            help="preview the results under the quarter's draft scheme; stores nothing and leaves the quarter as is",
        )

    def handle(self, *args, **options):
        quarter = quarter_from_code(options["quarter"])
        if options["scheme_draft"]:
            self.preview_draft_scheme(quarter)
            return
        by = execution_member(options["by"])
        step = SCORING_STEPS.get(quarter.state)
        if step is None:
            raise CommandError(refusal(quarter))
        try:
            # expected_state: should someone act on the quarter page meanwhile, the step is refused, not repeated.
            step(
                quarter=quarter,
                by=by,
                comment=options["comment"],
                expected_state=quarter.state,
                incomplete_data_reason=options["incomplete_data_reason"],
            )
        except (TransitionRefused, TransitionForbidden) as error:
            raise CommandError(str(error)) from None
        cards = list(
            Scorecard.objects.filter(quarter=quarter, is_current=True, status=Scorecard.Status.DRAFT).select_related(
                "scheme"
            )
        )
        scheme = cards[0].scheme  # the step refuses to store no results at all, so there is at least one
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Scored %(count)d person for %(quarter)s with scheme v%(version)s (%(status)s).",
                    "Scored %(count)d people for %(quarter)s with scheme v%(version)s (%(status)s).",
                    len(cards),
                )
                % {
                    "count": len(cards),
                    "quarter": quarter.code,
                    "version": scheme.version,
                    "status": scheme.get_status_display(),
                }
            )
        )
        self.stdout.write(
            _("%(quarter)s is now “%(state)s”; the step is recorded in its history under %(username)s.")
            % {"quarter": quarter.code, "state": state_label(quarter.state), "username": by.get_username()}
        )
        self.write_distribution(
            scheme,
            by_position=Counter(card.position for card in cards),
            by_grade=Counter((card.grade, card.grade_en) for card in cards),
        )

    def preview_draft_scheme(self, quarter):
        # A submitted draft is still a draft: not yet approved, so previewed, never stored.
        scheme = (
            Scheme.objects.filter(quarter=quarter, status__in=[Scheme.Status.DRAFT, Scheme.Status.SUBMITTED])
            .order_by("-version")
            .first()
        )
        if scheme is None:
            raise CommandError(_("%(quarter)s has no draft scheme.") % {"quarter": quarter.code})
        results = results_compute(quarter=quarter, scheme=scheme)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Preview of %(quarter)s with the draft scheme v%(version)s: %(count)d person. Nothing was stored.",
                    "Preview of %(quarter)s with the draft scheme v%(version)s: %(count)d people. Nothing was stored.",
                    len(results),
                )
                % {"quarter": quarter.code, "version": scheme.version, "count": len(results)}
            )
        )
        self.write_distribution(
            scheme,
            by_position=Counter(result.position for result in results),
            by_grade=Counter((result.grade.label_zh, result.grade.label_en) for result in results if result.grade),
        )

    def write_distribution(self, scheme, *, by_position, by_grade):
        for position, n in sorted(by_position.items()):
            self.stdout.write(f"  {position}: {n}")
        self.stdout.write(_("Grades:"))
        for band in scheme.grade_bands.order_by("-min_total"):
            self.stdout.write(
                f"  {band.label_zh} {band.label_en} (≥ {band.min_total}): {by_grade[(band.label_zh, band.label_en)]}"
            )
