"""Quarterly client-relationship performance review for a law firm."""

from .celery import app as celery_app

__all__ = ("celery_app",)
