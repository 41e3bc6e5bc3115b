"""Benchmark settings: like production in behaviour (DEBUG off), local in services, quiet logs."""

from lawfirm_kpi.settings.test import *  # noqa: F403
from lawfirm_kpi.settings.test import env

LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# The load benchmark signs in through the real form, so throttling stays on as in production.
AXES_ENABLED = True

# The load benchmark's gunicorn workers must share one private-media folder (an import waits there between the
# upload and its preview, which another worker may serve); the test settings would give each process its own.
if env("PRIVATE_MEDIA_ROOT", default=""):
    from pathlib import Path as _Path

    PRIVATE_MEDIA_ROOT = _Path(env("PRIVATE_MEDIA_ROOT"))
    STORAGES = {**STORAGES, "default": {**STORAGES["default"], "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}}}  # noqa: F405

# The pages benchmark serves its base-template view beside the project's URLs, and reads each request's query
# count from a response header (bench/query_header.py): counted inside the served request itself, with DEBUG off.
if env("BENCH_ROOT_URLCONF", default=""):
    ROOT_URLCONF = env("BENCH_ROOT_URLCONF")
if env.bool("BENCH_QUERY_COUNT_HEADER", default=False):
    MIDDLEWARE = ["bench.query_header.QueryCountHeaderMiddleware", *MIDDLEWARE]  # noqa: F405
