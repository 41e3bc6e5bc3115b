"""The jobs app (docs/operations.md, "Jobs"): a job runs its kind's handler once, records its progress and its
outcome or its failure with what to do next, is seen by its requester (and whom its kind names) and by nobody
else, and survives a redelivered message or a dead worker without running twice at once."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from jobs import services
from jobs.models import Job
from jobs.services import JobAlreadyRunning, job_retry, job_run, job_start, jobs_sweep
from reviews.models import Department
from tests.jobs.kinds import CALLS, register_test_kinds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kinds():
    register_test_kinds()
    CALLS.clear()


def test_a_job_runs_its_handler_and_shows_its_progress_outcome_and_link(firm, client_for):
    job = job_start(kind="test_echo", by=firm.colleague, subject="revenue.csv", params={"name": "revenue.csv"})
    assert [job.pk] == CALLS  # in-process under the test settings
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and (job.done, job.total) == (3, 3) and job.attempts == 1
    assert job.started_at and job.finished_at and job.result_url == "/somewhere/"
    status = client_for(firm.colleague).get(reverse("jobs:status", args=[job.pk])).json()
    assert status["state"] == "succeeded" and status["percent"] == 100 and status["finished"]
    assert status["outcome"] == "Imported revenue.csv." and status["result_url"] == "/somewhere/"
    page = client_for(firm.colleague).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'role="progressbar"' in page and "Imported revenue.csv." in page and 'href="/somewhere/"' in page
    assert "job_progress.js" in page and "<noscript>" not in page  # finished: nothing to refresh
    listed = client_for(firm.colleague).get(reverse("jobs:list")).content.decode()
    assert reverse("jobs:detail", args=[job.pk]) in listed


def test_the_outcome_is_shown_in_the_reader_s_language(firm, client_for):
    job = job_start(kind="test_refuse", by=firm.business_clerk)
    with translation.override("zh-hans"):
        from jobs.selectors import job_status

        status = job_status(Job.objects.get(pk=job.pk))
    assert status["error"] == "文件存在错误，未导入任何内容。"


def test_a_refusal_fails_the_job_with_its_message_and_what_to_do_next(firm, client_for):
    job = job_start(kind="test_refuse", by=firm.colleague)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and not job.retry_allowed
    browser = client_for(firm.colleague)
    browser.cookies["django_language"] = "en"
    page = browser.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "The file has errors; nothing was imported." in page and "What to do next" in page
    assert reverse("jobs:retry", args=[job.pk]) not in page


def test_a_crash_fails_the_job_changes_nothing_and_offers_to_run_it_again(firm, client_for, caplog):
    job = job_start(kind="test_crash", by=firm.colleague)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.retry_allowed
    assert not Department.objects.filter(code="halfway").exists()
    assert f"job {job.pk} (test_crash) failed" in caplog.text and "disk full" in caplog.text
    browser = client_for(firm.colleague)
    browser.cookies["django_language"] = "en"
    page = browser.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "unexpected error" in page and reverse("jobs:retry", args=[job.pk]) in page
    # Run it again: a new job with the same parameters
    response = browser.post(reverse("jobs:retry", args=[job.pk]))
    again = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("jobs:detail", args=[again.pk]) and again.kind == "test_crash"


def test_only_the_requester_runs_a_failed_job_again_and_only_where_it_is_safe(firm):
    crashed = job_start(kind="test_crash", by=firm.executor)
    refused = job_start(kind="test_refuse", by=firm.executor)
    with pytest.raises(Exception, match="Only the person who started"):
        job_retry(job=Job.objects.get(pk=crashed.pk), by=firm.partner)
    with pytest.raises(Exception, match="cannot be run again"):
        job_retry(job=Job.objects.get(pk=refused.pk), by=firm.executor)
    assert Job.objects.count() == 2


def test_a_finished_job_is_not_run_again_by_a_redelivered_message(firm):
    job = job_start(kind="test_echo", by=firm.executor)
    assert job_run(job_id=job.pk) == "skipped"
    assert [job.pk] == CALLS
    assert job_run(job_id=10_000) == "skipped"  # a job deleted meanwhile


def test_a_running_job_with_a_live_worker_is_left_alone_and_a_dead_worker_s_job_runs_again(firm, settings):
    now = timezone.now()
    alive = Job.objects.create(kind="test_echo", requested_by=firm.executor, state="running", heartbeat_at=now)
    assert job_run(job_id=alive.pk) == "skipped" and CALLS == []
    stale = now - datetime.timedelta(seconds=settings.JOBS_STALE_AFTER + 1)
    dead = Job.objects.create(
        kind="test_echo", requested_by=firm.executor, state="running", heartbeat_at=stale, attempts=1
    )
    assert job_run(job_id=dead.pk) == "succeeded" and [dead.pk] == CALLS
    dead.refresh_from_db()
    assert dead.attempts == 2


def test_the_sweep_queues_again_only_what_a_lost_message_or_a_dead_worker_left(firm, settings, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "_enqueue", queued.append)
    old = timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_AFTER + 5)
    lost = Job.objects.create(kind="test_echo", requested_by=firm.executor)
    Job.objects.filter(pk=lost.pk).update(created_at=old)
    dead = Job.objects.create(kind="test_echo", requested_by=firm.executor, state="running", heartbeat_at=old)
    Job.objects.create(kind="test_echo", requested_by=firm.executor)  # just queued
    Job.objects.create(kind="test_echo", requested_by=firm.executor, state="running", heartbeat_at=timezone.now())
    Job.objects.create(kind="test_echo", requested_by=firm.executor, state="succeeded")
    assert sorted(jobs_sweep()) == sorted([lost.pk, dead.pk]) == sorted(queued)


def test_a_second_job_on_the_same_subject_is_refused_while_the_first_is_unfinished(firm):
    first = Job.objects.create(kind="test_echo", requested_by=firm.executor, subject_key="quarter:1")
    with pytest.raises(JobAlreadyRunning) as refusal:
        job_start(kind="test_echo", by=firm.partner, subject_key="quarter:1")
    assert refusal.value.job == first and "already being done" in refusal.value.messages[0]
    Job.objects.filter(pk=first.pk).update(state="succeeded")
    assert job_start(kind="test_echo", by=firm.partner, subject_key="quarter:1").pk != first.pk


def test_an_unknown_kind_is_refused_before_anything_is_written(firm):
    with pytest.raises(ValueError, match="unknown job kind"):
        job_start(kind="no_such_kind", by=firm.executor)
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "persona",
    ["partner", "executor", "business_clerk", "finance_clerk", "admin_clerk", "superior", "lawyer", "assistant"],
)
def test_nobody_but_the_requester_sees_a_job(firm, client_for, persona):
    job = job_start(kind="test_echo", by=firm.colleague)
    browser = client_for(getattr(firm, persona))
    for name in ("jobs:detail", "jobs:status", "jobs:file"):
        assert browser.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert browser.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    assert reverse("jobs:detail", args=[job.pk]) not in browser.get(reverse("jobs:list")).content.decode()


def test_a_job_page_needs_a_login(firm, client):
    job = job_start(kind="test_echo", by=firm.executor)
    response = client.get(reverse("jobs:detail", args=[job.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
