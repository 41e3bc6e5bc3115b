"""A real Celery worker for the jobs' worker tests: a thread consuming from CI's Redis when CELERY_BROKER_URL is
set, else from kombu's filesystem transport in a temporary folder (the broker of make run), so they run
everywhere. Tasks are no longer in-process while it runs."""

import os
import time

import pytest

from jobs.models import Job

WAIT_SECONDS = 300  # the machine is shared: a PDF or a scoring can take a while


@pytest.fixture
def jobs_worker(settings, tmp_path):
    import celery.contrib.testing.tasks  # noqa: F401 — registers celery.ping, which start_worker checks
    from celery.contrib.testing.worker import start_worker
    from kombu import pools

    from lawfirm_kpi.celery import app

    keys = ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker:
        options = saved["broker_transport_options"]
    else:
        queue = tmp_path / "queue"
        queue.mkdir()
        broker = "filesystem://"
        options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(tmp_path / "control"),
            "store_processed": False,
        }
    pools.reset()
    app.__dict__.pop("amqp", None)
    app._pool = None
    app.conf.update(broker_url=broker, result_backend=None, task_always_eager=False, broker_transport_options=options)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.FEEDBACK_RENDER_MAX_RETRIES = 1
    settings.FEEDBACK_RETRY_BACKOFF = 0.2
    settings.FEEDBACK_RETRY_BACKOFF_MAX = 1
    if broker != "filesystem://":
        app.control.purge()  # what an interrupted run left in the test queue
    try:
        with start_worker(
            app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=60.0, loglevel="WARNING"
        ) as worker:
            yield worker
    finally:
        pools.reset()
        app.__dict__.pop("amqp", None)
        app._pool = None
        app.conf.update(saved)


def wait_for(job, *, until=lambda status: status["finished"]):
    """The job's status as its page shows it, once `until` holds (by default: finished)."""
    from jobs.selectors import job_status

    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        status = job_status(Job.objects.get(pk=job.pk))
        if until(status):
            return status
        time.sleep(0.3)
    raise AssertionError(f"job {job.pk} did not finish: {job_status(Job.objects.get(pk=job.pk))}")
