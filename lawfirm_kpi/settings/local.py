"""Local development (make run): the embedded SQLite database, a real Celery worker, e-mail to the console."""

from lawfirm_kpi.settings.base import *  # noqa: F403
from lawfirm_kpi.settings.base import BASE_DIR, CELERY_BROKER_TRANSPORT_OPTIONS, env

DEBUG = env.bool("DEBUG", default=True)

# make run starts a real worker beside runserver (Makefile), so long work leaves the request as in production
# (docs/operations.md, "Jobs"). Its broker is kombu's filesystem transport: messages are files under var/celery,
# so nothing has to be installed or started; results go to the SQLite file next to it. CELERY_BROKER_URL (say a
# local Redis) still wins.
if not env("CELERY_BROKER_URL", default=""):
    _QUEUE = BASE_DIR / "var" / "celery"
    for _folder in ("queue", "processed", "control"):
        (_QUEUE / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(_QUEUE / "queue"),
        "data_folder_out": str(_QUEUE / "queue"),
        "processed_folder": str(_QUEUE / "processed"),
        "control_folder": str(_QUEUE / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
