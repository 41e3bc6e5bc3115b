"""The job page, its progress poll, the file a job made, running a failed job again, and one's recent jobs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jobs import selectors
from jobs.services import job_retry
from lawfirm_kpi.text import sentences_join


@login_required
def job_detail(request, pk):
    job = selectors.get_job_for_user(user=request.user, pk=pk)
    context = {"job": job, "status": selectors.job_status(job), "kind_label": selectors.kind_label(job)}
    context["may_retry"] = (
        job.requested_by_id == request.user.pk and job.retry_allowed and job.state == job.State.FAILED
    )
    return render(request, "jobs/job_detail.html", context)


@login_required
def job_status(request, pk):
    """Polled by static/js/job_progress.js."""
    job = selectors.get_job_for_user(user=request.user, pk=pk)
    return JsonResponse(selectors.job_status(job))


@login_required
def job_file(request, pk):
    job = selectors.get_job_for_user(user=request.user, pk=pk)
    if job.state != job.State.SUCCEEDED or not job.result_file:
        raise Http404
    name = job.result_file.name.rsplit("/", 1)[-1]
    return FileResponse(job.result_file.open("rb"), as_attachment=False, filename=name)


@require_POST
@login_required
def job_retry_view(request, pk):
    job = selectors.get_job_for_user(user=request.user, pk=pk)
    try:
        again = job_retry(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, sentences_join(error.messages))
        return redirect("jobs:detail", pk=job.pk)
    return redirect("jobs:detail", pk=again.pk)


@login_required
def job_list(request):
    jobs = [(job, selectors.kind_label(job)) for job in selectors.recent_jobs(user=request.user)]
    return render(request, "jobs/job_list.html", {"jobs": jobs})
