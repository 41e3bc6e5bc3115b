# One image for web, worker, beat and the migrate job.

# Build stage: wheels for every requirement. python-ldap (directory sign-in) is built from source and needs the
# OpenLDAP and SASL headers and a compiler; none of them goes into the image that runs.
FROM python:3.11-slim-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /build/
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r /build/requirements.txt

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=lawfirm_kpi.settings.production
# WeasyPrint needs Pango; the CJK font ships with the project (documents/fonts, never collected as static).
# python-ldap needs the OpenLDAP and SASL libraries it was built against.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b curl \
       libldap-2.5-0 libsasl2-2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
# Only the wheels of the build stage: nothing is compiled (or fetched) here.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels -r requirements.txt
COPY . .
RUN SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py compile_translations \
    && SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 kpi && mkdir -p /data/private && chown -R kpi /data /app
USER kpi
EXPOSE 8000
CMD ["gunicorn", "lawfirm_kpi.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
