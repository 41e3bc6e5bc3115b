"""Celery application: settings come from Django's CELERY_* settings, tasks are autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawfirm_kpi.settings.local")

app = Celery("lawfirm_kpi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
