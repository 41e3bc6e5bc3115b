"""Every kind of job with a real worker (tests/jobs/conftest.py): the request only queues, the worker does the
work, the job page shows the progress, the outcome with its link, or the failure with what to do next."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from clients.models import RevenueEntry
from documents.models import FeedbackDocument
from jobs.models import Job
from portal import job_handlers
from reviews.models import QuarterState
from tests.clients.test_import_parsing import csv_bytes
from tests.clients.test_import_web import REVENUE_HEADER, contract  # noqa: F401 — the import's fixture
from tests.documents.test_report import results  # noqa: F401 — the report's fixture
from tests.indicators.test_scheme_views import approved, draft, milder_complaints_draft, q3, q3_data  # noqa: F401
from tests.indicators.test_selectors import quarter_with_scheme, ratings, scored_firm, survey  # noqa: F401
from tests.jobs.conftest import wait_for
from tests.notifications.conftest import PEOPLE, approved_quarter_with_drafts
from tests.portal.test_quarter_compute import collecting  # noqa: F401 — the compute step's fixture

pytestmark = [pytest.mark.django_db(transaction=True)]


def english_client(client_for, user):
    browser = client_for(user)
    browser.cookies["django_language"] = "en"
    return browser


def started_job(response):
    job = Job.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    return job


def test_the_report_pdf_is_made_by_the_worker_and_downloaded_from_the_job_page(results, firm, client_for, jobs_worker):  # noqa: F811
    browser = english_client(client_for, firm.executor)
    job = started_job(browser.post(reverse("portal:report_pdf", args=[results.code])))
    status = wait_for(job)
    assert status["state"] == "succeeded" and status["percent"] == 100
    assert status["outcome"] == f"The report of {results.code} is ready as a PDF."
    page = browser.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert status["result_url"] in page
    pdf = b"".join(browser.get(status["result_url"]).streaming_content)
    assert "稳中有进" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_scoring_from_the_page_runs_on_the_worker(collecting, client_for, jobs_worker):  # noqa: F811
    firm, quarter = collecting
    browser = english_client(client_for, firm.executor)
    response = browser.post(
        reverse("portal:compute", args=[quarter.code]),
        {"expected_state": "collecting", "acknowledge": "on", "reason": "问卷下周补录"},
    )
    job = started_job(response)
    status = wait_for(job)
    assert status["state"] == "succeeded", status
    assert status["outcome"] == f"The results of {quarter.code} are computed."
    quarter.refresh_from_db()
    assert quarter.state == QuarterState.SCORED


def test_a_stale_scoring_fails_on_the_worker_with_what_to_do_next(collecting, client_for, jobs_worker):  # noqa: F811
    firm, quarter = collecting
    browser = english_client(client_for, firm.executor)
    response = browser.post(
        reverse("portal:compute", args=[quarter.code]),
        # The page showed another state: someone acted first
        {"expected_state": "scored", "acknowledge": "on", "reason": "x"},
    )
    job = started_job(response)
    status = wait_for(job)
    assert status["state"] == "failed"
    assert "Open the quarter page" in status["next_step"]
    page = browser.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert status["error"] in page and "What to do next" in page
    quarter.refresh_from_db()
    assert quarter.state == QuarterState.COLLECTING


def test_a_crashing_report_fails_then_runs_again_from_the_job_page(results, firm, client_for, jobs_worker, monkeypatch):  # noqa: F811
    real = job_handlers.render_pdf
    calls = []

    def broken_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the layout engine crashed")
        return real(*args, **kwargs)

    monkeypatch.setattr(job_handlers, "render_pdf", broken_once)
    browser = english_client(client_for, firm.executor)
    job = started_job(browser.post(reverse("portal:report_pdf", args=[results.code])))
    status = wait_for(job)
    assert status["state"] == "failed" and "unexpected error" in status["error"]
    page = browser.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Run it again" in page and "What to do next" in page
    again = started_job(browser.post(reverse("jobs:retry", args=[job.pk])))
    assert wait_for(again)["state"] == "succeeded"


def test_publishing_follows_the_feedback_batch_to_the_end(firm, client_for, jobs_worker):
    quarter = approved_quarter_with_drafts(firm)
    browser = english_client(client_for, firm.executor)
    response = browser.post(
        reverse("portal:quarter_act", args=[quarter.code, "publish"]), {"expected_state": "approved"}
    )
    job = started_job(response)
    # The publish request itself rendered nothing: the documents are the worker's
    quarter.refresh_from_db()
    assert quarter.state == QuarterState.PUBLISHED
    status = wait_for(job)
    assert status["state"] == "succeeded", status
    expected = len(PEOPLE) + 1  # + the report to the leadership group
    assert (status["done"], status["total"]) == (expected, expected)
    assert f"Documents rendered: {expected} of {expected}." in status["lines"]
    assert status["result_url"] == reverse("portal:quarter", args=[quarter.code])
    assert FeedbackDocument.objects.filter(quarter=quarter, status="done").count() == expected
    # The execution group follows it too; the lawyer does not see it
    assert client_for(firm.partner).get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert client_for(firm.lawyer).get(reverse("jobs:detail", args=[job.pk])).status_code == 404


def test_the_what_if_preview_is_computed_by_the_worker_and_shown_from_its_job(
    firm,
    client_for,
    milder_complaints_draft,  # noqa: F811
    jobs_worker,
):
    browser = english_client(client_for, firm.partner)
    url = reverse("indicators:scheme_whatif", args=[milder_complaints_draft.pk])
    job = started_job(browser.post(url, {"on": "2026Q3"}))
    status = wait_for(job)
    assert status["state"] == "succeeded", status
    page = browser.get(status["result_url"]).content.decode()
    assert 'id="movers"' in page and "陈静" in page and "▲" in page


def test_an_import_is_checked_then_written_by_the_worker(firm, client_for, contract, jobs_worker):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    browser = english_client(client_for, firm.finance_clerk)
    content = csv_bytes([REVENUE_HEADER, ["SK-1", "HT-001", "2026-02-03", "5000", "lawyer"]])
    response = browser.post(
        reverse("clients:import_upload", kwargs={"kind": "revenue"}), {"file": SimpleUploadedFile("r.csv", content)}
    )
    check = started_job(response)
    status = wait_for(check)
    assert status["state"] == "succeeded" and status["outcome"] == "Checked r.csv: 1 rows, 0 with errors."
    preview = browser.get(status["result_url"])
    assert preview.status_code == 200 and preview.context["report"].created == 1
    assert RevenueEntry.objects.count() == 0  # the check writes nothing
    write = started_job(
        browser.post(reverse("clients:import_confirm", kwargs={"kind": "revenue"}), {"token": preview.context["token"]})
    )
    status = wait_for(write)
    assert status["state"] == "succeeded", status
    assert status["outcome"] == "Imported r.csv: 1 created, 0 updated, 0 unchanged."
    assert RevenueEntry.objects.count() == 1
    # Confirmed again (a second tab): the file is gone, nothing is written twice
    again = browser.post(
        reverse("clients:import_confirm", kwargs={"kind": "revenue"}), {"token": preview.context["token"]}
    )
    assert again.status_code == 302 and RevenueEntry.objects.count() == 1
