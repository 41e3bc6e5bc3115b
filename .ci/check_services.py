"""Fail loudly when CI asked for PostgreSQL or Redis and they do not answer."""

import os
import sys
from urllib.parse import urlparse


def check_postgres(url):
    import psycopg2

    parts = urlparse(url)
    try:
        psycopg2.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg2.Error as error:
        sys.exit(f"PostgreSQL at {parts.hostname}:{parts.port} does not answer: {error}")


def check_redis(url):
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        sys.exit(f"Redis at {url} does not answer: {error}")


if __name__ == "__main__":
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        check_postgres(os.environ["DATABASE_URL"])
        print("PostgreSQL answers.")
    if os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        check_redis(os.environ["CELERY_BROKER_URL"])
        print("Redis answers.")
