"""The one task of the jobs app: ids in, jobs.services.job_run does the rest. Acknowledged late (a worker that
dies mid-job leaves the message to the broker, which gives it back after its visibility timeout) and swept at
worker start and by beat, for brokers that keep no unacknowledged copy (the filesystem transport of make run).
A job may run longer than Redis's visibility timeout (settings/base.py): the copy Redis then hands to another worker
finds the job running with a recent heartbeat and is dropped, so the job is not run twice at once."""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from jobs.services import JOB_TASK, job_run, jobs_sweep

logger = logging.getLogger(__name__)


@shared_task(
    name=JOB_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.JOBS_TIME_LIMIT - 30,
    time_limit=settings.JOBS_TIME_LIMIT,
)
def job_run_task(job_id):
    return job_run(job_id=job_id)


@shared_task(name="jobs.sweep", acks_late=True, soft_time_limit=60, time_limit=90)
def jobs_sweep_task():
    return len(jobs_sweep())


@worker_ready.connect(dispatch_uid="jobs.worker_ready")
def on_worker_ready(**kwargs):
    """A worker that starts (after a crash, a deploy, make run again) picks up the jobs left behind."""
    try:
        jobs_sweep_task.apply_async()
    except Exception:  # noqa: BLE001 — beat queues the sweep too
        logger.exception("could not queue the start-up job sweep")
