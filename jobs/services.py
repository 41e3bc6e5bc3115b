"""Starting, running and retrying jobs. The request only writes the Job row and queues jobs.run after its commit;
the worker runs the kind's handler (docs/operations.md, "Jobs")."""

import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jobs.models import Job
from jobs.registry import JobFailed, kind_of

# The name of the one task that runs a job (jobs/tasks.py).
JOB_TASK = "jobs.run"

logger = logging.getLogger(__name__)

UNEXPECTED = gettext_noop("The job stopped on an unexpected error; nothing it was doing was kept.")


class JobAlreadyRunning(ValidationError):
    """The same work on the same subject is queued or running: the second request is refused, not queued."""

    def __init__(self, job):
        super().__init__(
            _("This is already being done (job %(id)d, started by %(name)s): wait for it to finish.")
            % {"id": job.pk, "name": _person_name(job.requested_by)}
        )
        self.job = job


def _person_name(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "full_name", "") or user.get_username()


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def _enqueue(job_id: int) -> None:
    """Queue the job's task by its name (jobs/tasks.py wraps job_run; naming it keeps the two modules from
    importing each other). In-process, as the task would there, run it here."""
    if _eager():
        job_run(job_id=job_id)
        return
    result = current_app.send_task(JOB_TASK, args=[job_id])
    Job.objects.filter(pk=job_id, celery_task_id="").update(celery_task_id=result.id or "")


def job_start(*, kind: str, by, subject: str = "", subject_key: str = "", params: dict | None = None) -> Job:
    """Write the job and queue its task once the caller's transaction commits. With a subject key, refuses a
    second job of the kind for that subject while one is queued or running (JobAlreadyRunning)."""
    if kind_of(kind) is None:
        raise ValueError(f"unknown job kind {kind!r}")
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                requested_by=by,
                subject=subject[:200],
                subject_key=subject_key[:200],
                params=params or {},
                language=translation.get_language() or "",
            )
    except IntegrityError:
        running = Job.objects.filter(
            kind=kind, subject_key=subject_key, state__in=[Job.State.QUEUED, Job.State.RUNNING]
        ).first()
        if running is None:  # finished between the insert and this read: the caller may simply try again
            raise
        raise JobAlreadyRunning(running) from None
    if _eager():
        # In-process (tests) the task runs here, in this transaction, which sees the new row; a test's transaction
        # never commits, so waiting for the commit would never run it.
        _enqueue(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.JOBS_STALE_AFTER)


def _claim(job_id: int) -> Job | None:
    """Lock the job and mark it running; None when there is nothing to do: finished already (a redelivered
    message), or running under a worker that is still alive (its heartbeat is recent)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        if job.state == Job.State.RUNNING and job.heartbeat_at and job.heartbeat_at > _stale_before():
            return None
        now = timezone.now()
        job.state = Job.State.RUNNING
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.attempts += 1
        job.save(update_fields=["state", "started_at", "heartbeat_at", "attempts"])
        return job


def _progress_writer(job):
    def progress(done: int, total: int | None = None) -> None:
        """Record how far the handler is (and that its worker is alive)."""
        job.done = done
        fields = {"done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            job.total = total
            fields["total"] = total
        Job.objects.filter(pk=job.pk).update(**fields)

    return progress


def _finish(job, **fields) -> None:
    fields["finished_at"] = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


def job_run(*, job_id: int) -> str:
    """Run one job's handler: the job ends succeeded with its outcome, or failed with a message and what to do
    next. A handler's own service is all-or-nothing, so a failed job changed nothing. Returns the final state."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    kind = kind_of(job.kind)
    user_language = job.language or settings.LANGUAGE_CODE
    try:
        if kind is None:
            raise JobFailed(gettext_noop("This kind of job is no longer known."), retry=False)
        with translation.override(user_language):
            outcome = kind.handler(job, _progress_writer(job))
    except JobFailed as failure:
        logger.warning("job %s (%s) failed: %s", job.pk, job.kind, failure)
        _finish(
            job,
            state=Job.State.FAILED,
            error_key=failure.message,
            error_params=failure.params,
            result_data={"lines": failure.lines} if failure.lines else {},
            next_step_key=failure.next_step or (kind.next_step if kind else ""),
            retry_allowed=kind.retry_safe if failure.retry is None and kind else bool(failure.retry),
        )
        return job.state
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            state=Job.State.FAILED,
            error_key=UNEXPECTED,
            error_params={},
            next_step_key=kind.next_step,
            retry_allowed=kind.retry_safe,
        )
        return job.state
    fields = {
        "state": Job.State.SUCCEEDED,
        "outcome_key": outcome.message,
        "outcome_params": outcome.params,
        "result_url": outcome.url,
        "result_data": outcome.data,
    }
    if outcome.file is not None:
        name, content = outcome.file
        if job.result_file:
            job.result_file.delete(save=False)  # a re-run replaces what a dead worker's run stored
        job.result_file.save(name, ContentFile(content), save=False)
        fields["result_file"] = job.result_file.name
    if job.total and job.done < job.total:
        fields["done"] = job.total
    _finish(job, **fields)
    return job.state


def job_retry(*, job: Job, by) -> Job:
    """Run a failed job's work again as a new job with the same parameters (only its requester, only where the
    kind says running it again is safe)."""
    kind = kind_of(job.kind)
    if job.requested_by_id != by.pk:
        raise ValidationError(_("Only the person who started this job can run it again."))
    if job.state != Job.State.FAILED or not job.retry_allowed or kind is None:
        raise ValidationError(_("This job cannot be run again from here."))
    with translation.override(job.language or None):
        return job_start(kind=job.kind, by=by, subject=job.subject, subject_key=job.subject_key, params=job.params)


def jobs_sweep(*, now=None) -> list[int]:
    """Queue again the jobs a lost message or a dead worker left behind: queued or running, untouched for
    JOBS_STALE_AFTER. A job that is in fact still alive is not run twice: jobs.run claims it under a lock and
    skips a running job whose heartbeat is recent."""
    now = now or timezone.now()
    before = now - timedelta(seconds=settings.JOBS_STALE_AFTER)
    stale = list(
        Job.objects.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING])
        # Queued: counted from its creation; running: from its last sign of life.
        .exclude(state=Job.State.QUEUED, created_at__gt=before)
        .exclude(state=Job.State.RUNNING, heartbeat_at__gt=before)
        .values_list("pk", flat=True)
    )
    for job_id in stale:
        _enqueue(job_id)
    return stale
