# One image for web, worker, beat and the migrate job.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=lawfirm_kpi.settings.production
# WeasyPrint needs Pango; the CJK font ships with the project (documents/fonts, never collected as static).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py compile_translations \
    && SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 kpi && mkdir -p /data/private && chown -R kpi /data /app
USER kpi
EXPOSE 8000
CMD ["gunicorn", "lawfirm_kpi.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
