"""Quarterly client-relationship performance review for a law firm."""

from lawfirm_kpi.celery import app as celery_app

__all__ = ("celery_app",)
