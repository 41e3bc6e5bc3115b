"""A test-only URLconf: the project's URLs, plus views that fail, to see the error pages users get."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from lawfirm_kpi.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


class SecretError(RuntimeError):
    pass


def boom(request):
    raise SecretError("database password is hunter2 at /srv/secret/settings.py")


def refuse(request):
    raise PermissionDenied("Only members of the execution group may do this.")


def suspicious(request):
    raise SuspiciousOperation("tampered")


urlpatterns = [
    path("test-boom/", boom),
    path("test-refuse/", refuse),
    path("test-suspicious/", suspicious),
    *urlpatterns,
]
