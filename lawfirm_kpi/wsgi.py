"""WSGI entry point (gunicorn lawfirm_kpi.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawfirm_kpi.settings.production")

application = get_wsgi_application()
