"""What the job pages read: the job a person may see (or 404), its state for the page and for the progress poll."""

from django.http import Http404
from django.utils.translation import gettext as _

from jobs.models import Job
from jobs.registry import kind_of

RECENT_JOBS = 20


def get_job_for_user(*, user, pk) -> Job:
    """The job for its requester and for whom its kind lets follow it (say the execution group for a quarter's
    publication); anyone else gets 404 as for a job that does not exist."""
    job = Job.objects.select_related("requested_by").filter(pk=pk).first()
    if job is None or not user.is_authenticated:
        raise Http404
    kind = kind_of(job.kind)
    if job.requested_by_id == user.pk or (kind is not None and kind.may_follow(user, job)):
        return job
    raise Http404


def recent_jobs(*, user):
    return Job.objects.filter(requested_by=user)[:RECENT_JOBS]


def _text(key, params) -> str:
    if not key:
        return ""
    text = _(key)
    return text % params if params else text


def job_status(job: Job) -> dict:
    """The job as the page and static/js/job_progress.js show it, in the reader's language. A kind whose work
    goes on in other tasks after its handler (publication) reports that work's progress until it is finished."""
    kind = kind_of(job.kind)
    state, done, total, lines = job.state, job.done, job.total, []
    if state == Job.State.SUCCEEDED and kind is not None and kind.follow is not None:
        followed = kind.follow(job)
        if followed is not None:
            done, total = followed["done"], followed["total"]
            lines = [_text(key, params) for key, params in followed.get("lines", [])]
            if not followed["finished"]:
                state = Job.State.RUNNING
    if job.state in (Job.State.SUCCEEDED, Job.State.FAILED):
        # A handler's own further lines (an import's invitations or errors), [msgid, params] each.
        lines += [_text(key, params) for key, params in (job.result_data or {}).get("lines", [])]
    percent = 100 if state == Job.State.SUCCEEDED else (round(100 * done / total) if total else 0)
    return {
        "id": job.pk,
        "state": state,
        "state_label": str(Job.State(state).label),
        "finished": state in (Job.State.SUCCEEDED, Job.State.FAILED),
        "done": done,
        "total": total,
        "percent": min(percent, 100),
        "outcome": _text(job.outcome_key, job.outcome_params) if state == Job.State.SUCCEEDED else "",
        "lines": lines,
        "result_url": job.result_url if state == Job.State.SUCCEEDED else "",
        "error": _text(job.error_key, job.error_params),
        "next_step": _text(job.next_step_key, {}),
    }


def kind_label(job: Job) -> str:
    kind = kind_of(job.kind)
    return _(kind.label) if kind is not None else job.kind


def unfinished_job(*, kind, subject_key) -> Job | None:
    """The queued or running job of this kind for this subject, if any (the page says it is under way)."""
    return Job.objects.filter(
        kind=kind, subject_key=subject_key, state__in=[Job.State.QUEUED, Job.State.RUNNING]
    ).first()
