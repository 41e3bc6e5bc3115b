"""Downloads from the browser: the execution group takes the results table as Excel, the partner the approval
page's rows as CSV, a lawyer her own history; each file is opened and checked (docs/indicators.md, "Exports")."""

import csv
import io

import pytest
from openpyxl import load_workbook

from results.models import Scorecard
from reviews.models import Quarter, QuarterState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _downloaded(session, link):
    with session.page.expect_download() as info:
        link.click()
    download = info.value
    return download.suggested_filename, open(download.path(), "rb").read()  # noqa: SIM115 — Playwright's temp file


def test_results_downloads_from_the_pages(demo_firm, session_as):
    # Given the demo firm's latest published quarter
    quarter = Quarter.objects.filter(state__in=[QuarterState.PUBLISHED, QuarterState.CLOSED]).order_by(
        "-year", "-number"
    )[0]
    people = Scorecard.objects.filter(quarter=quarter, is_current=True).count()

    # When the execution group downloads the results table as Excel
    executor = session_as("executor")
    executor.page.goto(f"/indicators/results/{quarter.code}/")
    name, content = _downloaded(executor, executor.page.locator("#results-downloads a", has_text="Excel"))
    # Then the workbook holds one typed row per person, named after the quarter
    assert name == f"results-{quarter.code}.xlsx"
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == people and sheet.title == quarter.code
    header = [cell.value for cell in sheet[1]]
    assert rows[0][header.index("total")].data_type == "n" and rows[0][header.index("computed_on")].is_date

    # When the partner downloads the approval page's rows as CSV, in Chinese
    partner = session_as("partner", english=False)
    partner.page.goto(f"/quarters/{quarter.code}/approval/")
    name, content = _downloaded(partner, partner.page.locator("#approval-downloads a", has_text="CSV"))
    assert name == f"results-{quarter.code}.csv"
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == people and any(row["grade"] == "优秀" for row in rows)

    # When the lawyer downloads her history from her scorecards
    lawyer = session_as("lawyer")
    lawyer.page.goto("/scorecards/")
    name, content = _downloaded(lawyer, lawyer.page.locator("#history-downloads a", has_text="CSV"))
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    # Then it holds her published quarters and nobody else's
    published = Scorecard.objects.filter(
        staff__user__username="lawyer", status=Scorecard.Status.PUBLISHED, is_current=True
    ).count()
    assert len(rows) == published > 0 and {row["username"] for row in rows} == {"lawyer"}
    assert name.startswith("results-lawyer-") and name.endswith(".csv")
