"""python manage.py score_quarter 2026Q3: compute a quarter's results and store them as draft scorecards."""

from collections import Counter

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from indicators.models import Scheme
from indicators.services import results_store_drafts
from reviews.models import Quarter, Scorecard


def quarter_from_code(code):
    try:
        year, number = Quarter.parse_code(code)
    except ValueError as error:
        raise CommandError(str(error)) from None
    try:
        return Quarter.objects.get(year=year, number=number)
    except Quarter.DoesNotExist:
        raise CommandError(f"There is no quarter {year}Q{number}.") from None


class Command(BaseCommand):
    help = "Score a quarter with its approved scheme and store the results as drafts (published results stay)."

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="the quarter, e.g. 2026Q3")
        parser.add_argument(
            "--scheme-draft",
            action="store_true",
            help="score with the quarter's draft scheme instead of the approved one (for trying a scheme out)",
        )

    def handle(self, *args, **options):
        quarter = quarter_from_code(options["quarter"])
        wanted = Scheme.Status.DRAFT if options["scheme_draft"] else Scheme.Status.APPROVED
        scheme = Scheme.objects.filter(quarter=quarter, status=wanted).order_by("-version").first()
        if scheme is None:
            if wanted == Scheme.Status.APPROVED:
                raise CommandError(
                    f"{quarter.code} has no approved scheme: the leadership group must approve it first "
                    "(or pass --scheme-draft to try the draft)."
                )
            raise CommandError(f"{quarter.code} has no draft scheme.")
        try:
            count = results_store_drafts(quarter=quarter, scheme=scheme, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

        cards = Scorecard.objects.filter(quarter=quarter, is_current=True, status=Scorecard.Status.DRAFT)
        by_position = Counter(cards.values_list("position", flat=True))
        grades = Counter(cards.values_list("grade", "grade_en"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Scored {count} people for {quarter.code} "
                f"with scheme v{scheme.version} ({scheme.get_status_display()})."
            )
        )
        for position, n in sorted(by_position.items()):
            self.stdout.write(f"  {position}: {n}")
        self.stdout.write("Grades:")
        bands = scheme.grade_bands.order_by("-min_total")
        for band in bands:
            self.stdout.write(
                f"  {band.label_zh} {band.label_en} (≥ {band.min_total}): {grades[(band.label_zh, band.label_en)]}"
            )
