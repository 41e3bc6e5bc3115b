"""python manage.py export_results 2026Q3 --format csv|xlsx [--output FILE]: one row per scored person."""

import csv
import io
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from indicators.models import Indicator
from lawfirm_kpi.spreadsheets import neutralise
from results.models import Scorecard
from reviews.selectors import quarter_from_code


def export_rows(quarter):
    """Header and rows: username, full_name, position, department, <code>_value, <code>_points…, total, grade, rank."""
    cards = list(
        Scorecard.objects.filter(quarter=quarter, is_current=True)
        .select_related("staff__user", "department")
        .prefetch_related("lines")
        .order_by("position", "rank", "staff__full_name")
    )
    used = {line.indicator_id for card in cards for line in card.lines.all()}
    indicators = [indicator for indicator in Indicator.objects.order_by("order") if indicator.pk in used]
    header = ["username", "full_name", "position", "department"]
    for indicator in indicators:
        header += [f"{indicator.code}_value", f"{indicator.code}_points"]
    header += ["total", "grade", "rank"]
    rows = []
    for card in cards:
        lines = {line.indicator_id: line for line in card.lines.all()}
        row = [
            neutralise(card.staff.user.username),
            neutralise(card.staff.full_name),
            neutralise(card.get_position_display()),
            neutralise(card.department.name),
        ]
        for indicator in indicators:
            line = lines.get(indicator.pk)
            row += [None if line is None else line.value, None if line is None else line.points]
        row += [card.total, neutralise(card.grade_label), card.rank]
        rows.append(row)
    return header, rows


def _number(value):
    return None if value is None else (float(value) if isinstance(value, Decimal) else value)


class Command(BaseCommand):
    help = "Export a quarter's current results, one row per person, as CSV or Excel."

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="the quarter, e.g. 2026Q3")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (CSV goes to standard output without it)")
        parser.add_argument(
            "--language",
            choices=[code for code, _ in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of positions, departments and grades",
        )

    def handle(self, *args, **options):
        quarter = quarter_from_code(options["quarter"])
        with translation.override(options["language"]):
            header, rows = export_rows(quarter)
        if not rows:
            raise CommandError(
                f"{quarter.code} has no results yet: score it on its quarter page, or with "
                f"score_quarter {quarter.code} --by <execution-group username>, first."
            )
        output = options["output"]
        if options["format"] == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(header)
            writer.writerows(["" if value is None else value for value in row] for row in rows)
            if output:
                # UTF-8 with a byte-order mark, so Excel opens the Chinese names correctly.
                with open(output, "w", encoding="utf-8-sig", newline="") as handle:
                    handle.write(buffer.getvalue())
            else:
                self.stdout.write(buffer.getvalue(), ending="")
        else:
            from openpyxl import Workbook

            output = output or f"results-{quarter.code}.xlsx"
            workbook = Workbook()
            sheet = workbook.active
            sheet.title = quarter.code
            sheet.append(header)
            for row in rows:
                sheet.append([_number(value) for value in row])
            sheet.freeze_panes = "E2"
            workbook.save(output)
        if output:
            self.stderr.write(f"Wrote {len(rows)} rows to {output}.")
