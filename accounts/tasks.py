"""Housekeeping that beat runs (lawfirm_kpi/celery.py): expired sessions and the sign-in and password-reset
limits' old events (docs/operations.md, "Sign-in and password-reset limits"). Both are idempotent."""

import logging

from celery import shared_task
from django.core.management import call_command

from accounts import passwords, signin, throttle

logger = logging.getLogger(__name__)

HOUSEKEEPING_OPTIONS = {"acks_late": True, "soft_time_limit": 240, "time_limit": 300}


def throttle_limits():
    """Every limit that counts events in the throttle table."""
    return [signin.address_limit(), signin.username_limit(), *passwords.limits()]


@shared_task(name="accounts.clear_sessions", **HOUSEKEEPING_OPTIONS)
def clear_sessions():
    """Django's clearsessions: sessions past their expiry stay in the table until removed."""
    call_command("clearsessions")


@shared_task(name="accounts.throttle_cleanup", **HOUSEKEEPING_OPTIONS)
def throttle_cleanup():
    removed = throttle.forget_expired(throttle_limits())
    logger.info("Removed %s expired sign-in and password-reset events", removed)
    return removed
