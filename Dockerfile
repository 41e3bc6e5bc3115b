# One image for web, worker, beat and the migrate job.

# Build stage: a virtual environment with every runtime package of requirements.lock, each checked against the hash
# the lock names (DEVELOPERS.md, "Dependencies"). python-ldap (directory sign-in) is built from its hash-checked
# source and needs the OpenLDAP and SASL headers and a compiler; none of them goes into the image that runs.
FROM python:3.11-slim-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock /build/
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes -r /build/requirements.lock

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=lawfirm_kpi.settings.production
# WeasyPrint needs Pango; the CJK font ships with the project (documents/fonts, never collected as static).
# python-ldap needs the OpenLDAP and SASL libraries it was built against.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b curl \
       libldap-2.5-0 libsasl2-2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The build stage's environment as it is: nothing is compiled, fetched or resolved again here (the same base image,
# so the same Python at the same path).
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY . .
RUN SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py compile_translations \
    && SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 kpi && mkdir -p /data/private && chown -R kpi /data /app
USER kpi
EXPOSE 8000
CMD ["gunicorn", "lawfirm_kpi.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
