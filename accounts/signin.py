"""Sign-in limits on top of django-axes (docs/operations.md, "Sign-in and password-reset limits").

Three limits, each with its own settings:
- one username from one address (axes itself: AXES_FAILURE_LIMIT failures, AXES_COOLOFF_TIME pause);
- one address across usernames (LOGIN_ADDRESS_FAILURE_LIMIT in LOGIN_ADDRESS_WINDOW): password spraying;
- one username across addresses (LOGIN_USERNAME_FAILURE_LIMIT in LOGIN_USERNAME_WINDOW): guessing one account
  from many machines. Locking a username everywhere would let anyone lock the partner out by typing wrong
  passwords, so this pause does not apply on an address from which that username signed in successfully within
  LOGIN_KNOWN_ADDRESS_DAYS: the person at their usual computer still gets in, the guesser from elsewhere does not.

SignInThrottleHandler is axes' database handler with the two extra limits: refused attempts go through axes'
own path (no password is checked, the lockout page is shown with status 429, user_locked_out is sent), and
axes_reset, axes_reset_username, axes_reset_ip and axes_reset_ip_username lift these pauses too.
"""

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessLog
from axes.signals import user_locked_out
from django.conf import settings
from django.utils import timezone

from accounts import throttle

ADDRESS_BUCKET = "signin.address"
USERNAME_BUCKET = "signin.username"


def address_limit() -> throttle.Limit:
    return throttle.Limit(ADDRESS_BUCKET, settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.LOGIN_ADDRESS_WINDOW)


def username_limit() -> throttle.Limit:
    return throttle.Limit(USERNAME_BUCKET, settings.LOGIN_USERNAME_FAILURE_LIMIT, settings.LOGIN_USERNAME_WINDOW)


def is_known_address(username: str, address: str, *, now=None) -> bool:
    """Whether this username signed in successfully from this address recently (axes' access log)."""
    if not username or not address:
        return False
    since = (now or timezone.now()) - datetime.timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(username=username, ip_address=address, attempt_time__gte=since).exists()


def pause_for(username: str, address: str, *, now=None) -> throttle.Pause | None:
    """The address pause, else the username pause unless this address is one the username is known at."""
    now = now or timezone.now()
    pause = throttle.pause_for(address_limit(), address, kind="address", now=now)
    if pause is not None:
        return pause
    pause = throttle.pause_for(username_limit(), username, kind="username", now=now)
    if pause is not None and not is_known_address(username, address, now=now):
        return pause
    return None


def _pair_pause(request, credentials) -> throttle.Pause:
    """The (username, address) pause axes holds: it ends a cool-off after the last counted failure."""
    cool_off = get_cool_off(request) or datetime.timedelta(0)
    attempt = (
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address
        )
        .order_by("-attempt_time")
        .first()
    )
    last = attempt.attempt_time if attempt else timezone.now()
    return throttle.Pause(
        kind="pair",
        limit=settings.AXES_FAILURE_LIMIT,
        window_minutes=int(cool_off.total_seconds() // 60),
        until=last + cool_off,
    )


class SignInThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler plus the per-address and per-username limits; the pause is kept on the request
    (request.signin_pause) for the lockout page."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            request.signin_pause = _pair_pause(request, credentials)
            return True
        pause = pause_for(get_client_username(request, credentials) or "", request.axes_ip_address or "")
        if pause is not None:
            request.signin_pause = pause
            return True
        return False

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        # A refused attempt (already paused) is not counted: the pause the page announced does not grow.
        refused = request is not None and getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or refused or self.is_whitelisted(request, credentials):
            return
        now = timezone.now()
        username = get_client_username(request, credentials) or ""
        address = request.axes_ip_address or ""
        throttle.record(address_limit(), address, now=now)
        throttle.record(username_limit(), username, now=now)
        if getattr(request, "axes_locked_out", False):  # this failure reached the (username, address) limit
            request.signin_pause = _pair_pause(request, credentials)
            return
        pause = pause_for(username, address, now=now)
        if pause is not None:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            request.signin_pause = pause
            user_locked_out.send("axes", request=request, username=username, ip_address=address)

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        """axes_reset* commands and axes' admin: lift the per-address and per-username pauses as well."""
        count = super().reset_attempts(ip_address=ip_address, username=username, ip_or_username=ip_or_username)
        if not ip_address and not username:
            return count + throttle.forget(buckets=[ADDRESS_BUCKET, USERNAME_BUCKET])
        if ip_address:
            count += throttle.forget(buckets=[ADDRESS_BUCKET], key=ip_address)
        if username:
            count += throttle.forget(buckets=[USERNAME_BUCKET], key=username)
        return count
