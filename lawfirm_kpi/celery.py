"""Celery application: settings come from Django's CELERY_* settings, tasks are autodiscovered, and the one beat
schedule of the project lives here.

make run and production run a real worker (make run over a broker in files, settings/local.py); tests run tasks
in-process unless a test starts a worker itself.
"""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawfirm_kpi.settings.local")

WORKER_MAX_MEMORY_MB = 350

app = Celery("lawfirm_kpi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Defaults for every task (the settings may override them): JSON only, a time limit on everything, and one task
# at a time per worker process so a long PDF does not hold back the queue behind it.
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=1,
    # A worker process is replaced after the task in which its peak memory passed WORKER_MAX_MEMORY_MB (billiard
    # reads ru_maxrss, the peak, on Linux), not after a fixed number of tasks: a fresh process costs 1 to 2 s
    # before its first document is out, and replacing one every 25 documents cost a publication about a fifth of
    # its time (docs/benchmarks.md, "The publication end to end"). Measured in one process rendering feedback PDFs
    # back to back, the peak reaches ~340 MB within 40 documents (subsetting the CJK font) and then creeps up
    # ~0.25 MB a document (WeasyPrint keeps some font data per document, WeasyPrint#2130): so a process lives some
    # 60-100 documents and none goes far past 350 MB, under the 400 MB the benchmark allows. The task count is
    # only a backstop.
    worker_max_memory_per_child=WORKER_MAX_MEMORY_MB * 1024,  # in KiB
    worker_max_tasks_per_child=1000,
    task_reject_on_worker_lost=True,
    broker_connection_retry_on_startup=True,
)


@worker_init.connect(dispatch_uid="lawfirm_kpi.preload_for_pool")
def preload_for_pool(**kwargs):
    """What every pool process needs, imported once in the worker's main process before it forks the pool, so a
    process that replaces another starts rendering at once: WeasyPrint (about 1 s to import), the URLconf (a
    document's first reverse() imports every view, about 1 s) and the PDF templates. Only imports and parsing:
    nothing here holds a connection, a thread or a font, which a forked process could not share."""
    import weasyprint  # noqa: F401 — the import is the point
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — populating the resolver imports the URLconf
    for template in ("pdf/feedback.html", "pdf/report.html"):
        get_template(template)


if not app.conf.task_time_limit:
    app.conf.task_time_limit = 300
if not app.conf.task_soft_time_limit:
    app.conf.task_soft_time_limit = 240

# THE beat schedule (docs/operations.md, "Notices"). Times are in CELERY_TIMEZONE (settings.TIME_ZONE). Every
# reminder task may run any number of times a day: a notice's unique key lets each reminder out at most once per
# kind, object, recipient and day, so the afternoon run only catches what a morning outage missed.
app.conf.beat_schedule = {
    "reminders-interviews": {
        "task": "notifications.reminders_interviews",
        "schedule": crontab(minute=0, hour="8,14"),
    },
    "reminders-data-collection": {
        "task": "notifications.reminders_data_collection",
        "schedule": crontab(minute=5, hour="8,14"),
    },
    "reminders-results": {
        "task": "notifications.reminders_results",
        "schedule": crontab(minute=10, hour="8,14"),
    },
    "reminders-ratings": {
        "task": "notifications.reminders_ratings",
        "schedule": crontab(minute=15, hour="8,14"),
    },
    "reminders-appeals": {
        "task": "notifications.reminders_appeals",
        "schedule": crontab(minute=20, hour="8,14"),
    },
    # Workers also sweep and drain when they start and after their own work (notifications.tasks); beat is the
    # safety net for what nothing else would notice (a message lost with a broker that kept no copy).
    "feedback-sweep": {
        "task": "notifications.feedback_sweep",
        "schedule": crontab(minute="*/5"),
    },
    # Jobs a lost message or a dead worker left behind (jobs/tasks.py; workers also sweep when they start).
    "jobs-sweep": {
        "task": "jobs.sweep",
        "schedule": crontab(minute="*/5"),
    },
    "outbox-drain": {
        "task": "notifications.outbox_drain",
        "schedule": crontab(minute="*"),
    },
    # Housekeeping (accounts/tasks.py): expired sessions nightly; sign-in and password-reset events that no longer
    # count in any limit (the longest window is an hour by default) every hour.
    "sessions-clear": {
        "task": "accounts.clear_sessions",
        "schedule": crontab(minute=30, hour=3),
    },
    "throttle-cleanup": {
        "task": "accounts.throttle_cleanup",
        "schedule": crontab(minute=45),
    },
}
