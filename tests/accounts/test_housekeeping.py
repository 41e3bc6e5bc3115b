"""Beat keeps the session and throttle tables small: expired sessions and events no limit counts any more go."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from accounts import tasks
from accounts.models import ThrottleHit
from lawfirm_kpi.celery import app


def test_beat_runs_the_housekeeping_tasks():
    app.loader.import_default_modules()
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"accounts.clear_sessions", "accounts.throttle_cleanup"} <= schedule
    assert {"accounts.clear_sessions", "accounts.throttle_cleanup"} <= set(app.tasks)


@pytest.mark.django_db
def test_clearsessions_removes_expired_sessions_only():
    live, expired = SessionStore(), SessionStore()
    live["x"], expired["x"] = 1, 2
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    tasks.clear_sessions.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def hit(bucket, minutes_ago, now):
    return ThrottleHit.objects.create(bucket=bucket, key="k", at=now - datetime.timedelta(minutes=minutes_ago))


@pytest.mark.django_db
def test_throttle_cleanup_removes_what_no_limit_counts_and_keeps_what_still_counts():
    now = timezone.now()
    # signin.address: 15-minute window; signin.username: 10; reset.*: 60 (the defaults)
    keep = [hit("signin.address", 14, now), hit("signin.username", 9, now), hit("reset.address", 59, now)]
    keep.append(hit("retired.bucket", 30, now))  # a bucket no limit uses: kept until older than the longest window
    gone = [hit("signin.address", 16, now), hit("signin.username", 11, now), hit("reset.account", 61, now)]
    gone.append(hit("retired.bucket", 61, now))
    assert tasks.throttle_cleanup.delay().get() == len(gone)
    assert set(ThrottleHit.objects.values_list("pk", flat=True)) == {h.pk for h in keep}


@pytest.mark.django_db
@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=0)
def test_a_switched_off_limit_keeps_no_events():
    now = timezone.now()
    hit("signin.address", 1, now)
    fresh = hit("signin.username", 1, now)
    tasks.throttle_cleanup()
    assert list(ThrottleHit.objects.values_list("pk", flat=True)) == [fresh.pk]
