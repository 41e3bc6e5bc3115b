"""python manage.py export_results 2026Q3 --format csv|xlsx [--output FILE]: one row per scored person."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from lawfirm_kpi.spreadsheets import csv_bytes, csv_text, xlsx_bytes
from results.exports import quarter_export_rows
from reviews.selectors import quarter_from_code

# The names stay in view while scrolling across the indicators (username … department).
FREEZE = "E2"


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
            header, rows = quarter_export_rows(quarter)
        if not rows:
            raise CommandError(
                f"{quarter.code} has no results yet: score it on its quarter page, or with "
                f"score_quarter {quarter.code} --by <execution-group username>, first."
            )
        output = options["output"]
        if options["format"] == "csv":
            if output:
                # UTF-8 with a byte-order mark, so Excel opens the Chinese names correctly.
                with open(output, "wb") as handle:
                    handle.write(csv_bytes(header, rows))
            else:
                self.stdout.write(csv_text(header, rows), ending="")
        else:
            output = output or f"results-{quarter.code}.xlsx"
            with open(output, "wb") as handle:
                handle.write(xlsx_bytes(header, rows, title=quarter.code, freeze=FREEZE))
        if output:
            self.stderr.write(f"Wrote {len(rows)} rows to {output}.")
