"""Downloads of results as CSV and XLSX from the results table, the approval page, the report and a person's own
scorecards: the rows of export_results, typed cells, inert formulas, no caching, and access per persona."""

import csv
import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from results.drafts import results_store_drafts
from results.models import Scorecard
from reviews.models import QuarterState, StaffProfile
from tests.appeals.conftest import publish
from tests.indicators.test_selectors import AS_OF, quarter_with_scheme, ratings, scored_firm, survey  # noqa: F401

QUARTER_DOWNLOADS = ("portal:results_download", "portal:report_download", "portal:approval_download")


@pytest.fixture
def stored(scored_firm):  # noqa: F811
    """Draft results of 2026Q3, one of whose people has a name that starts like a formula."""
    firm, quarter, scheme = scored_firm
    StaffProfile.objects.filter(user=firm.colleague).update(full_name="=HYPERLINK(1)")
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    return firm, quarter, scheme


def url(name, quarter, file_format="csv"):
    return reverse(name, kwargs={"code": quarter.code, "file_format": file_format})


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def workbook_of(response):
    return load_workbook(io.BytesIO(response.content))


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("portal:results_download", {"partner", "executor"}),
        ("portal:report_download", {"partner", "executor"}),
        ("portal:approval_download", {"partner"}),
    ],
)
def test_quarter_downloads_are_for_the_roles_of_their_page(stored, client, name, allowed):
    firm, quarter, _ = stored
    personas = ("partner", "executor", "business_clerk", "superior", "lawyer", "assistant", "outsider")
    for persona in personas:
        client.force_login(getattr(firm, persona))
        for file_format in ("csv", "xlsx"):
            response = client.get(url(name, quarter, file_format))
            assert response.status_code == (200 if persona in allowed else 403), (persona, file_format)
    client.logout()
    assert client.get(url(name, quarter)).url.startswith("/accounts/login/")


@pytest.mark.parametrize("name", QUARTER_DOWNLOADS)
def test_a_quarter_csv_has_the_rows_of_export_results_and_is_never_cached(stored, client, name, tmp_path):
    # Given draft results, downloaded by the partner (who may read all three pages)
    firm, quarter, _ = stored
    client.force_login(firm.partner)
    client.cookies["django_language"] = "en"
    response = client.get(url(name, quarter))
    # Then the file is a CSV named after the quarter, private and not stored by any cache
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="results-2026Q3.csv"'
    assert response["Cache-Control"] == "private, no-store"
    # And its rows are byte for byte those of manage.py export_results in the same language
    target = tmp_path / "command.csv"
    call_command("export_results", "2026Q3", "--output", str(target), "--language", "en", stderr=io.StringIO())
    assert response.content == target.read_bytes()
    rows = csv_rows(response)
    assert len(rows) == 9
    lawyer = next(row for row in rows if row["username"] == "lawyer")
    assert (lawyer["total"], lawyer["grade"], lawyer["rank"]) == ("94.73", "Excellent", "1")
    # And the formula-like name is neutralised as in every CSV export
    assert next(row for row in rows if row["username"] == "colleague")["full_name"] == "'=HYPERLINK(1)"


def test_a_quarter_xlsx_has_typed_cells_and_quote_prefixed_formulas(stored, client):
    firm, quarter, _ = stored
    client.force_login(firm.executor)
    response = client.get(url("portal:results_download", quarter, "xlsx"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="results-2026Q3.xlsx"'
    assert response["Cache-Control"] == "private, no-store"
    sheet = workbook_of(response).active
    assert sheet.title == "2026Q3"
    header = [cell.value for cell in sheet[1]]
    by_user = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert len(by_user) == 9
    lawyer = by_user["lawyer"]
    column = {name: index for index, name in enumerate(header)}
    # Numbers are numbers, the computation day a date
    assert lawyer[column["total"]].data_type == "n" and lawyer[column["total"]].value == pytest.approx(94.73)
    assert lawyer[column["rank"]].value == 1
    assert lawyer[column["new_clients_value"]].value == 2
    computed = lawyer[column["computed_on"]]
    assert (
        computed.is_date
        and computed.value.date()
        == Scorecard.objects.get(quarter=quarter, staff=firm.lawyer.profile)
        .computed_at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
        .date()
    )
    # The formula-like name is text as typed, with the quote-prefix style and no apostrophe; other text has none
    name = by_user["colleague"][column["full_name"]]
    assert name.value == "=HYPERLINK(1)" and name.data_type == "s" and name.quotePrefix
    assert not lawyer[column["full_name"]].quotePrefix
    # A cell without data stays empty
    assert lawyer[column["complaint_timeliness_value"]].value is None


def test_a_quarter_download_follows_the_language_of_the_page(stored, client):
    firm, quarter, _ = stored
    client.force_login(firm.executor)
    client.cookies["django_language"] = "zh-hans"
    rows = csv_rows(client.get(url("portal:results_download", quarter)))
    assert next(row for row in rows if row["username"] == "lawyer")["grade"] == "优秀"


def test_an_unknown_format_is_not_found(stored, client):
    firm, quarter, _ = stored
    client.force_login(firm.executor)
    assert client.get(url("portal:results_download", quarter, "pdf")).status_code == 404
    client.force_login(firm.lawyer)
    assert client.get(reverse("portal:history_download", kwargs={"file_format": "ods"})).status_code == 404


def test_a_quarter_without_results_sends_back_to_its_page_with_a_message(firm, client):
    quarter, _ = quarter_with_scheme(firm.executor)
    client.force_login(firm.executor)
    client.cookies["django_language"] = "en"
    response = client.get(url("portal:results_download", quarter))
    assert response.status_code == 302 and response.url == reverse("portal:results", kwargs={"code": "2026Q3"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["2026Q3 has no results to download yet."]
    client.cookies["django_language"] = "zh-hans"
    response = client.get(url("portal:results_download", quarter), follow=True)
    assert "2026Q3尚无可下载的考核结果。" in response.content.decode()


def history(client, file_format="csv"):
    return client.get(reverse("portal:history_download", kwargs={"file_format": file_format}))


def test_a_person_downloads_only_their_own_published_results(stored, client):
    firm, quarter, _ = stored
    # Before publication the drafts are nobody's history yet
    client.force_login(firm.lawyer)
    client.cookies["django_language"] = "en"
    response = history(client)
    assert response.status_code == 302 and response.url == reverse("portal:my_scorecards")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["You have no published result to download yet."]
    # Once published, the lawyer's file holds her row alone, with the quarter in front
    publish(quarter)
    response = history(client)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'attachment; filename="results-lawyer-2026Q3.csv"'
    rows = csv_rows(response)
    assert [(row["quarter"], row["username"], row["total"]) for row in rows] == [("2026Q3", "lawyer", "94.73")]
    # And the same in XLSX, typed
    response = history(client, "xlsx")
    sheet = workbook_of(response).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("quarter", "username") and len(values) == 2
    assert values[1][:2] == ("2026Q3", "lawyer") and isinstance(values[1][-1], int)
    # The colleague gets hers, not the lawyer's
    client.force_login(firm.colleague)
    assert [row["username"] for row in csv_rows(history(client))] == ["colleague"]
    # The partner, not assessed, has nothing to download
    client.force_login(firm.partner)
    assert history(client).url == reverse("portal:my_scorecards")
    client.logout()
    assert history(client).url.startswith("/accounts/login/")


def test_the_history_spans_the_quarters_with_current_versions_only(stored, client):
    firm, quarter, _ = stored
    publish(quarter)
    # Given an earlier published quarter with a superseded version and the current one
    card = Scorecard.objects.get(quarter=quarter, staff=firm.lawyer.profile)
    earlier = type(quarter).objects.create(year=2026, number=2, state=quarter.state)
    fields = {f.name: getattr(card, f.name) for f in Scorecard._meta.concrete_fields if f.name not in ("id",)}
    Scorecard.objects.bulk_create(
        [
            Scorecard(**{**fields, "quarter": earlier, "version": 1, "is_current": False, "rank": 3}),
            Scorecard(**{**fields, "quarter": earlier, "version": 2, "is_current": True, "rank": 2}),
        ]
    )
    client.force_login(firm.lawyer)
    response = history(client)
    assert response["Content-Disposition"] == 'attachment; filename="results-lawyer-2026Q2-2026Q3.csv"'
    assert [(row["quarter"], row["rank"]) for row in csv_rows(response)] == [("2026Q2", "2"), ("2026Q3", "1")]


@pytest.mark.parametrize(
    ("page", "downloads_id", "persona"),
    [
        ("portal:results", "results-downloads", "executor"),
        ("portal:report", "report-downloads", "executor"),
        ("portal:approval", "approval-downloads", "partner"),
    ],
)
def test_the_pages_offer_their_downloads_in_both_languages(stored, client, page, downloads_id, persona):
    firm, quarter, _ = stored
    type(quarter).objects.filter(pk=quarter.pk).update(state=QuarterState.SCORED)
    client.force_login(getattr(firm, persona))
    name = page + "_download"
    html = client.get(reverse(page, kwargs={"code": quarter.code})).content.decode()
    assert f'id="{downloads_id}"' in html
    assert url(name, quarter, "csv") in html and url(name, quarter, "xlsx") in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse(page, kwargs={"code": quarter.code})).content.decode()
    assert "下载考核结果" in html and "Excel" in html


def test_my_scorecards_offers_the_history_once_there_is_one(stored, client):
    firm, quarter, _ = stored
    client.force_login(firm.lawyer)
    assert 'id="history-downloads"' not in client.get(reverse("portal:my_scorecards")).content.decode()
    publish(quarter)
    html = client.get(reverse("portal:my_scorecards")).content.decode()
    assert 'id="history-downloads"' in html
    assert reverse("portal:history_download", kwargs={"file_format": "xlsx"}) in html
