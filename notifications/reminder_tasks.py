"""The beat's daily reminder tasks, one per rule (lawfirm_kpi/celery.py). Apart from notifications.tasks, which the
services queue their drains with, so the outbox never imports the reminders that write into it."""

from celery import shared_task
from django.utils import timezone

from notifications.reminders import reminders_send
from notifications.tasks import REMINDER_OPTIONS

# The tasks keep the names they had in notifications.tasks: a queued message carries the name.


@shared_task(name="notifications.reminders_interviews", **REMINDER_OPTIONS)
def reminders_interviews():
    return reminders_send(rule="interviews", today=timezone.localdate())


@shared_task(name="notifications.reminders_data_collection", **REMINDER_OPTIONS)
def reminders_data_collection():
    return reminders_send(rule="data_collection", today=timezone.localdate())


@shared_task(name="notifications.reminders_results", **REMINDER_OPTIONS)
def reminders_results():
    return reminders_send(rule="results", today=timezone.localdate())


@shared_task(name="notifications.reminders_ratings", **REMINDER_OPTIONS)
def reminders_ratings():
    return reminders_send(rule="ratings", today=timezone.localdate())


@shared_task(name="notifications.reminders_appeals", **REMINDER_OPTIONS)
def reminders_appeals():
    return reminders_send(rule="appeals", today=timezone.localdate())
