"""The demo firm's jobs (docs/operations.md, "Jobs"): the execution group has asked for the latest published
quarter's report as a PDF, and once pressed "Compute the results" on a page left open after publication, which
the job refused with what to do next. Started through the jobs service: under make run the worker runs them as
soon as it starts, so "My recent jobs" shows one made and one refused."""

from django.contrib.auth.models import User

from jobs.models import Job
from jobs.services import job_start
from portal.job_handlers import REPORT_PDF, SCORING, quarter_key
from reviews.models import Quarter, QuarterState


def demo_jobs_run() -> None:
    executor = User.objects.filter(username="executor").first()
    published = (
        Quarter.objects.filter(state__in=[QuarterState.PUBLISHED, QuarterState.CLOSED])
        .order_by("-year", "-number")
        .first()
    )
    if executor is None or published is None or Job.objects.filter(requested_by=executor).exists():
        return
    job_start(kind=REPORT_PDF, by=executor, subject=published.code, params={"quarter": published.pk})
    job_start(
        kind=SCORING,
        by=executor,
        subject=published.code,
        subject_key=quarter_key(published),
        params={"quarter": published.pk, "expected_state": QuarterState.SCORED, "comment": "", "reason": ""},
    )
