"""Celery application: settings come from Django's CELERY_* settings, tasks are autodiscovered, and the one beat
schedule of the project lives here.

make run and production run a real worker (make run over a broker in files, settings/local.py); tests run tasks
in-process unless a test starts a worker itself.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawfirm_kpi.settings.local")

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
    # WeasyPrint keeps font data per document and never gives it back (Kozea/WeasyPrint#2130: ~0.8 MB a feedback
    # PDF here): a worker process is replaced after 25 tasks, which bounds the growth at ~20 MB for ~4 % of time.
    worker_max_tasks_per_child=25,
    task_reject_on_worker_lost=True,
    broker_connection_retry_on_startup=True,
)
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
