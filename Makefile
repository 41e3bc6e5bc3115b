# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lock messages migrate demo bench lint format check clean

# Installs only the hash-locked files (DEVELOPERS.md, "Dependencies"): every transitive package at the version
# and with the hash the lock names, pip included; requirements*.txt are only the sources of `make lock`.
$(VENV)/.installed: requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

# Regenerates both locks after requirements*.txt changed. Pins already in a lock are kept (pip-compile reads the
# old lock first), so only what changed is resolved again; `make lock UPGRADE=1` re-resolves everything to the
# newest allowed versions. The dev lock is constrained by the runtime lock: shared packages get the same version.
PIP_COMPILE = $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock: install
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt

messages: install
	$(PY) manage.py compile_translations

migrate: messages
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# Links in e-mails and feedback PDFs point at SITE_URL: with `make run PORT=8001` they name port 8001 (the demo's
# PDFs, rendered by `demo`, included). A SITE_URL already in the environment wins.
# A real Celery worker (with beat, for the reminders) runs beside the web server, over the broker in files that
# settings/local.py configures: long work runs as jobs exactly as in production (docs/operations.md, "Jobs").
# The worker is stopped when runserver ends (Ctrl-C included).
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ — demo logins are in README.md; the worker logs to var/worker.log"
	@mkdir -p var
	@$(VENV)/bin/celery -A lawfirm_kpi worker -B --pool=solo --concurrency=1 --loglevel=INFO \
		--schedule=var/celerybeat-schedule --without-mingle --without-gossip >var/worker.log 2>&1 & \
	worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: messages
	$(PY) -m pytest $(PYTEST_ARGS)

bench: messages
	$(PY) -m bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
# The catalogue is compiled by polib (compile_translations), which does not compare placeholders: GNU msgfmt
# refuses a translation that drops or renames a %(name)s or {name} of its msgid (.ci/install-system-packages).
	msgfmt --check-format --check-header -o /dev/null locale/*/LC_MESSAGES/django.po

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles private_media .pytest_cache var
