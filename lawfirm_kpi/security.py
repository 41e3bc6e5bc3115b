"""Security plumbing (README.md, "Security model"): response headers, the security log, and the friendly error pages.

- SecurityHeadersMiddleware adds Content-Security-Policy and Permissions-Policy (Django's SecurityMiddleware and
  XFrameOptionsMiddleware already send nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and X-Frame-Options).
- NoStoreMiddleware sends `Cache-Control: private, no-store` on every response of the application (pages and
  files carry personal data); static files are answered by whitenoise before it and keep their caching.
- log_event() writes one line to the "security" logger; other apps call it for security-relevant steps that no
  signal below covers (e.g. reviews.staff_changes writes "people.role_changed" with person, kind, before, after
  and source for every committed change of a person's groups, duties, place in the firm or e-mail).
- SecurityEventsConfig.ready() connects the signals that need no code in other apps: login success and failure,
  axes lockouts, every step of a quarter's life (QuarterEvent rows: scheme approval, submission, approval,
  return, publication, close) and of an appeal (AppealEvent rows: filing, assignment, uphold, reject,
  escalation). It is an app config of its own, listed in INSTALLED_APPS, so the receivers are connected in every
  process (web, worker, management commands), not only once a URLconf is loaded.
- RefusedAccessLogMiddleware logs every 403 and the 404s that a matched view raised for a signed-in user (the
  object permission helpers answer 404 for objects the user may not know exist).
- bad_request / permission_denied / page_not_found / server_error are the project's error handlers (urls.py).
"""

import logging

from django.apps import AppConfig
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist, loader
from django.utils import timezone
from django.views.decorators.csrf import requires_csrf_token

# The address rule lives with the sign-in limits; the security log and axes use the same one.
from accounts.addresses import client_ip

logger = logging.getLogger("security")


# ------------------------------------------------------------------------------------------------- the log


def _user_label(user):
    if user is None:
        return "-"
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"{user.get_username()}#{user.pk}"


def _clean(value):
    # One event is one line: no newlines (log forging) and no overlong values.
    return str(value).replace("\r", " ").replace("\n", " ")[:200]


def log_event(event, *, user, level=logging.INFO, **details):
    """Write one security event: `event user=… key=value …`, details in the record's `security` attribute too.

    Never pass a password or a token as a detail. `user` may be a User, an AnonymousUser or None.
    """
    label = _user_label(user)
    parts = [f"{key}={_clean(value)}" for key, value in details.items()]
    logger.log(
        level,
        "%s user=%s %s",
        event,
        label,
        " ".join(parts),
        extra={"security": {"event": event, "user": label, **{k: _clean(v) for k, v in details.items()}}},
    )


# --------------------------------------------------------------------------------------------- middleware


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        self.permissions = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        if self.permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions
        return response


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response of the application.

    Almost every page and file carries personal data (scorecards, explanations, results tables, appeals and their
    evidence, interviews, feedback PDFs, people and data pages, exports); the public ones carry a CSRF token or a
    questionnaire's personal link. Nothing of it may stay in a shared proxy or in the browser's cache after
    signing out. Static files are served by whitenoise before this middleware and keep their own caching. A view
    that already forbids storing (never_cache) keeps its header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "private, no-store"
        return response


class RefusedAccessLogMiddleware:
    """Log refused access: every 403, and 404s answered by a matched view to a signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        user = getattr(request, "user", None)
        if status == 403:
            log_event("access.refused", user=user, level=logging.WARNING, **_where(request, status))
        elif status == 404 and getattr(request, "resolver_match", None) is not None and _signed_in(user):
            log_event("access.not_found", user=user, **_where(request, status))
        return response


def _signed_in(user):
    return user is not None and user.is_authenticated


def _where(request, status):
    return {"method": request.method, "path": request.path, "status": status, "ip": client_ip(request)}


# ----------------------------------------------------------------------------------------- signal receivers


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the username is logged.
    username = credentials.get("username", "") if isinstance(credentials, dict) else ""
    log_event("login.failed", user=None, level=logging.WARNING, username=username, ip=client_ip(request))


def on_logged_in(sender, request, user, **kwargs):
    log_event("login.succeeded", user=user, ip=client_ip(request))


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    log_event("login.locked_out", user=None, level=logging.WARNING, username=username or "", ip=ip_address or "")


def on_quarter_event(sender, instance, created, **kwargs):
    """Every step of a quarter's life writes one QuarterEvent: approvals, returns, publications among them."""
    if not created:
        return
    log_event(
        f"quarter.{instance.action}",
        user=instance.by,
        quarter=instance.quarter.code,
        from_state=instance.from_state,
        to_state=instance.to_state,
    )


def on_appeal_event(sender, instance, created, **kwargs):
    """Every step of an appeal writes one AppealEvent: filing, assignment, and the decisions (uphold, reject)."""
    if not created:
        return
    log_event(
        f"appeal.{instance.action}",
        user=instance.by,
        appeal=instance.appeal_id,
        from_status=instance.from_status or "-",
        to_status=instance.to_status,
    )


class SecurityEventsConfig(AppConfig):
    name = "lawfirm_kpi.security"
    label = "security_events"
    verbose_name = "Security events"

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        # The quarter's and the appeals' steps are connected by their own apps (reviews, appeals), which this
        # kernel module does not know.
        user_login_failed.connect(on_login_failed, dispatch_uid="security.login_failed")
        user_logged_in.connect(on_logged_in, dispatch_uid="security.logged_in")
        user_locked_out.connect(on_locked_out, dispatch_uid="security.locked_out")


# ------------------------------------------------------------------------------------------- error pages


def lockout_response(request, original_response=None, credentials=None):
    """The page axes shows instead of signing in while a sign-in limit holds (status 429).

    accounts.signin puts the pause on the request: which limit (one username from this address, this address,
    this username from unknown addresses), how many failures in how many minutes, and until when.
    """
    pause = getattr(request, "signin_pause", None)
    context = {
        "kind": pause.kind if pause else "pair",
        "failure_limit": pause.limit if pause else settings.AXES_FAILURE_LIMIT,
        "window_minutes": pause.window_minutes if pause else int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "until": timezone.localtime(pause.until) if pause else None,
        "minutes_left": pause.minutes_left() if pause else None,
    }
    return render(request, "registration/lockout.html", context, status=429)


@requires_csrf_token
def bad_request(request, exception):
    # Rendered without the request: a 400 can come before the session or the user is known (e.g. a bad Host).
    return _standalone("400.html", 400)


@requires_csrf_token
def permission_denied(request, exception):
    message = str(exception) if exception is not None and str(exception) else ""
    return render(request, "403.html", {"reason": message}, status=403)


@requires_csrf_token
def page_not_found(request, exception):
    return render(request, "404.html", {"request_path": request.path}, status=404)


@requires_csrf_token
def server_error(request):
    # No request context: whatever broke (the database, a context processor) must not break this page too.
    return _standalone("500.html", 500)


def _standalone(template_name, status):
    try:
        content = loader.get_template(template_name).render()
    except TemplateDoesNotExist:
        content = f"<!DOCTYPE html><title>{status}</title><h1>{status}</h1>"
    return HttpResponse(content, status=status)
