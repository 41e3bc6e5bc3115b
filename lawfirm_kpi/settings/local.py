"""Local development: the embedded SQLite database, in-process Celery, e-mail to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
