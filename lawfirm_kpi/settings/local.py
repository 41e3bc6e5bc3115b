"""Local development: the embedded SQLite database, in-process Celery, e-mail to the console."""

from lawfirm_kpi.settings.base import *  # noqa: F403
from lawfirm_kpi.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
