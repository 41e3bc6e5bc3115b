"""Test settings: fast hashing, in-memory e-mail; the database follows DATABASE_URL as elsewhere."""

import os
import tempfile
from pathlib import Path

from lawfirm_kpi.settings.base import *  # noqa: F403
from lawfirm_kpi.settings.base import DATABASES, STORAGES
from lawfirm_kpi.settings.storage import LOCAL_BACKEND

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="lawfirm-kpi-test-media-"))
# Always a fresh local folder, whatever PRIVATE_STORAGE says; tests/documents/test_private_storage.py runs against S3.
STORAGES = {**STORAGES, "default": {"BACKEND": LOCAL_BACKEND, "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Login throttling (docs/operations.md, "Sign-in and password-reset limits") is off for the suite: Django's test
# Client.login() calls authenticate() without a request, which axes refuses. tests/security/ turns it on with
# override_settings(AXES_ENABLED=True) and logs in through the real form.
AXES_ENABLED = False

# Tests run tasks in-process even when CI sets CELERY_BROKER_URL (the rest of the suite relies on it); the worker
# tests in tests/notifications switch this off for themselves and run a real worker against that broker.
CELERY_TASK_ALWAYS_EAGER = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker tests run a worker thread that writes while the test reads: a shared-cache in-memory database
    # locks whole tables without waiting, so they get a file (WAL, busy timeout) of their own. The jobs' worker
    # tests run everywhere (over the filesystem broker without Redis), so the suite always uses a file, as in CI.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"lawfirm-kpi-test-{os.getpid()}.sqlite3"),
    }
