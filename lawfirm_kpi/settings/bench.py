"""Benchmark settings: like production in behaviour (DEBUG off), local in services, quiet logs."""

from .test import *  # noqa: F403

LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
