"""The quarter's long steps as jobs (docs/operations.md, "Jobs"): scoring from the compute page, the report PDF,
and following a publication's feedback batch. Registered from PortalConfig.ready()."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_noop

from documents.pdf import render_pdf
from documents.report import quarter_report
from documents.selectors import feedback_progress
from jobs.registry import JobFailed, Outcome, register
from portal.quarter_services import quarter_recompute, quarter_score
from reviews.lifecycle import Action, TransitionRefused
from reviews.models import Quarter, QuarterState
from reviews.roles import roles_of

# The two steps that compute the results, by the state they start from (reviews/lifecycle.py).
COMPUTE_STEPS = {
    QuarterState.COLLECTING: (Action.SCORE, quarter_score),
    QuarterState.SCORED: (Action.RECOMPUTE, quarter_recompute),
}

SCORING = "scoring"
REPORT_PDF = "report_pdf"
PUBLICATION = "publication"
QUARTER_PAGE_NEXT = gettext_noop("Open the quarter page: it shows the quarter's state now and what can be done.")


def quarter_key(quarter) -> str:
    return f"quarter:{quarter.pk}"


def _quarter(job) -> Quarter:
    quarter = Quarter.objects.filter(pk=job.params.get("quarter")).first()
    if quarter is None:
        raise JobFailed(gettext_noop("The quarter no longer exists."), retry=False)
    return quarter


def _quarter_url(quarter) -> str:
    return reverse("portal:quarter", args=[quarter.code])


def scoring_run(job, progress):
    """Score or recompute the quarter (regulation 三.4) with what the compute page was given. The service is one
    transaction: a failure, or a worker killed on the way, leaves the quarter as it was; run again, the step the
    page showed is checked afresh (expected_state), so a step already made is refused rather than made twice."""
    quarter = _quarter(job)
    step = COMPUTE_STEPS.get(job.params.get("expected_state"))
    if step is None:
        raise JobFailed(
            gettext_noop("The results of this quarter cannot be computed in its present state."),
            retry=False,
            next_step=QUARTER_PAGE_NEXT,
        )
    _action, service = step
    progress(0, 1)
    try:
        service(
            quarter=quarter,
            by=job.requested_by,
            comment=job.params.get("comment", ""),
            expected_state=job.params.get("expected_state", ""),
            incomplete_data_reason=job.params.get("reason", ""),
        )
    except TransitionRefused as refusal:
        raise JobFailed(
            str(refusal.message),
            retry=False,
            next_step=QUARTER_PAGE_NEXT,
        ) from refusal
    return Outcome(
        gettext_noop("The results of %(quarter)s are computed."), {"quarter": quarter.code}, url=_quarter_url(quarter)
    )


def report_pdf_run(job, progress):
    """The report to the leadership group as a PDF, kept with the job and downloaded from its page."""
    quarter = _quarter(job)
    progress(0, 1)
    pdf = render_pdf(
        "pdf/report.html",
        {"quarter": quarter, "report": quarter_report(quarter=quarter), "firm_name": settings.FIRM_NAME},
    )
    return Outcome(
        gettext_noop("The report of %(quarter)s is ready as a PDF."),
        {"quarter": quarter.code},
        url=reverse("jobs:file", args=[job.pk]),
        file=(f"report-{quarter.code}.pdf", pdf),
    )


def publication_run(job, progress):
    """Publication itself is the quick step of the publish button; the job follows the feedback batch that the
    publication queued (documents/tasks.py), so the page can show it until every document is finished."""
    quarter = _quarter(job)
    if quarter.state not in (QuarterState.PUBLISHED, QuarterState.CLOSED):
        raise JobFailed(gettext_noop("The quarter is not published."), retry=False)
    return Outcome(
        gettext_noop("The results of %(quarter)s are published and their feedback documents are finished."),
        {"quarter": quarter.code},
        url=_quarter_url(quarter),
    )


def publication_follow(job):
    quarter = Quarter.objects.filter(pk=job.params.get("quarter")).first()
    if quarter is None:
        return None
    counts = feedback_progress(quarter=quarter)
    return {
        "done": counts["done"] + counts["failed"],
        "total": counts["total"],
        "finished": counts["finished"] and not counts["notices_undelivered"],
        "lines": [
            (
                gettext_noop("Documents rendered: %(done)d of %(total)d."),
                {"done": counts["done"], "total": counts["total"]},
            ),
            (gettext_noop("Documents failed: %(failed)d."), {"failed": counts["failed"]}),
            (gettext_noop("Notices not delivered yet: %(count)d."), {"count": counts["notices_undelivered"]}),
        ],
    }


def _organiser(user, job) -> bool:
    return roles_of(user).is_execution


def register_quarter_jobs():
    register(SCORING, label=gettext_noop("Computing the results"), handler=scoring_run, may_follow=_organiser)
    register(REPORT_PDF, label=gettext_noop("The report as a PDF"), handler=report_pdf_run)
    register(
        PUBLICATION,
        label=gettext_noop("Publishing the results"),
        handler=publication_run,
        may_follow=_organiser,
        follow=publication_follow,
        retry_safe=False,
        next_step=gettext_noop("Open the quarter page: “Retry what is stuck” queues failed documents again."),
    )
