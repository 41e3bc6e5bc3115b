"""`celery worker` for bench_pdf, with the private files in BENCH_PDF_MEDIA instead of a fresh temporary folder."""

import os
import sys

import django


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawfirm_kpi.settings.bench")
    django.setup()
    from django.conf import settings

    media = os.environ.get("BENCH_PDF_MEDIA")
    if media:
        # Before the first use of default_storage, which reads STORAGES once.
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {**settings.STORAGES["default"], "OPTIONS": {"location": media}},
        }
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # Two worker processes writing one SQLite file: a deferred transaction that reads, then writes after the
        # other process committed fails at once (SQLITE_BUSY_SNAPSHOT). IMMEDIATE takes the write lock up front and
        # waits for it. (PostgreSQL, the production database, locks rows and needs nothing of the sort.)
        database.setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    from lawfirm_kpi.celery import app

    app.conf.task_always_eager = False
    app.worker_main(argv=sys.argv[1:])


if __name__ == "__main__":
    main()
