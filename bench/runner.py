"""Runs one benchmark module in a fresh process against a fresh database: python -m bench.runner MODULE LABEL."""

import importlib
import os
import sys

import django


def main():
    module_name, label = sys.argv[1], sys.argv[2]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawfirm_kpi.settings.bench")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        _recreate_postgres_database()
    call_command("migrate", verbosity=0, interactive=False)
    module = importlib.import_module(f"bench.{module_name}")
    results = module.run(label)
    from bench.result import emit

    for result in results:
        result.database = label
        result.benchmark = module_name.removeprefix("bench_")
    emit(results)


def _recreate_postgres_database():
    """Start every PostgreSQL benchmark from an empty database of its own."""
    import psycopg2
    from django.db import connection

    settings = connection.settings_dict
    connection.close()
    admin = psycopg2.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')
        cursor.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    admin.close()


if __name__ == "__main__":
    main()
