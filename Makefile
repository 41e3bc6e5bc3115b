# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install messages migrate demo bench lint format check clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

messages: install
	$(PY) manage.py compile_translations

migrate: messages
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# Links in e-mails and feedback PDFs point at SITE_URL: with `make run PORT=8001` they name port 8001 (the demo's
# PDFs, rendered by `demo`, included). A SITE_URL already in the environment wins.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ — demo logins are in README.md"
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
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles private_media .pytest_cache
