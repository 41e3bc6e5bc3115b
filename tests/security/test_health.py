"""/healthz and /readyz answer a container's health check whatever its Host header, and readiness reports each
dependency (database, Redis, cache, private-files storage) without revealing why one failed."""

import json

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client, override_settings

from tests.test_settings import PRODUCTION, manage

PRODUCTION_HOSTS = {"ALLOWED_HOSTS": ["kpi.firm.example"], "SECURE_SSL_REDIRECT": True}


@pytest.fixture
def client_at_localhost():
    return Client(HTTP_HOST="localhost")


@pytest.mark.django_db
@override_settings(**PRODUCTION_HOSTS)
def test_the_health_check_answers_a_host_that_is_not_allowed(client_at_localhost):
    # The page itself refuses the host (the control), the health endpoints answer, over plain HTTP, no redirect
    assert client_at_localhost.get("/accounts/login/").status_code == 400
    response = client_at_localhost.get("/healthz")
    assert response.status_code == 200 and json.loads(response.content) == {"database": "ok"}
    assert response["Cache-Control"] == "private, no-store"
    ready = client_at_localhost.get("/readyz")
    assert ready.status_code == 200
    # Redis is reached when it is the broker (make test with CELERY_BROKER_URL, as CI runs); else nothing to reach.
    redis = "ok" if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "not used"
    assert json.loads(ready.content) == {"database": "ok", "redis": redis, "cache": "ok", "storage": "ok"}


def test_production_answers_health_checks_before_any_other_middleware():
    result = manage("shell", "-c", "from django.conf import settings; print(settings.MIDDLEWARE[0])", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "lawfirm_kpi.health.HealthCheckMiddleware"


@pytest.mark.django_db
def test_readiness_leaves_no_probe_file_behind(client):
    assert client.get("/readyz").status_code == 200
    directories, files = default_storage.listdir("health") if default_storage.exists("health") else ([], [])
    assert files == []


@pytest.mark.django_db
def test_readiness_fails_when_the_private_files_storage_cannot_be_written(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("[Errno 30] Read-only file system: '/data/private/secret-path'")

    monkeypatch.setattr(default_storage, "save", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["storage"] == "unavailable" and body["database"] == "ok"
    assert b"secret-path" not in response.content and b"Errno" not in response.content
    # Liveness does not depend on the storage
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_readiness_fails_when_redis_does_not_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["redis"] == "unavailable"


@pytest.mark.django_db
def test_both_fail_when_the_database_does_not_answer(client, monkeypatch):
    from lawfirm_kpi import health

    def no_database():
        raise RuntimeError("connection refused")

    monkeypatch.setattr(health, "_database", no_database)
    assert client.get("/healthz").status_code == 503
    response = client.get("/readyz")
    assert response.status_code == 503 and json.loads(response.content)["database"] == "unavailable"
