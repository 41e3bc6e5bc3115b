"""Liveness and readiness for container health checks and load balancers (docs/operations.md, "Health checks").

/healthz (liveness): the process answers and its database connection works.
/readyz (readiness): the database, Redis (the Celery broker, and the cache when it is in Redis) and the
private-files storage all work; a load balancer sends requests only to a machine that answers 200.

Both are answered by HealthCheckMiddleware, first in MIDDLEWARE, before anything reads the Host header: a
container's health check calls http://127.0.0.1:8000/healthz, and with the production ALLOWED_HOSTS Django would
answer that 400 ("Invalid HTTP_HOST header") and the web service would never become healthy. Neither answer
contains data or error details (those go to the log), so answering any host is safe.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)

OK, UNAVAILABLE, NOT_USED = "ok", "unavailable", "not used"
PROBE_TIMEOUT_SECONDS = 3


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis():
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return NOT_USED  # tasks run in-process (no broker), nothing to reach
    import redis  # noqa: PLC0415 - only with a Redis broker

    client = redis.Redis.from_url(
        url, socket_timeout=PROBE_TIMEOUT_SECONDS, socket_connect_timeout=PROBE_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()
    return OK


def _cache():
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


def _storage():
    # Written, read back and removed: a full, read-only or unreachable store (disk, network volume or object
    # storage) fails here instead of at the next feedback PDF or appeal upload.
    name = default_storage.save(f"health/readyz-{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as stored:
            if stored.read() != b"ok":
                raise RuntimeError("the storage did not return what was written")
    finally:
        default_storage.delete(name)


def _run(checks):
    report, ready = {}, True
    for name, check in checks:
        try:
            report[name] = check() or OK
        except Exception:  # noqa: BLE001 - any failure means "not ready"; the cause goes to the log
            logger.warning("Health check %s failed", name, exc_info=True)
            report[name], ready = UNAVAILABLE, False
    response = JsonResponse(report, status=200 if ready else 503)
    response["Cache-Control"] = "private, no-store"  # as every answer of the application (lawfirm_kpi/security.py)
    return response


def healthz(request):
    return _run([("database", _database)])


def readyz(request):
    return _run([("database", _database), ("redis", _redis), ("cache", _cache), ("storage", _storage)])


HEALTH_VIEWS = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answers GET/HEAD /healthz and /readyz before host validation, HTTPS redirects and sessions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = HEALTH_VIEWS.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
