"""Liveness/readiness for the container health checks: the database answers."""

from django.db import connection
from django.http import JsonResponse


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse({"database": "ok"})
