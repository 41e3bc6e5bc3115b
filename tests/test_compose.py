"""docker-compose.yml, read as compose reads it (the variables interpolated), keeps the deployment promises of
docs/operations.md: no default database password, gunicorn reachable from the proxy's side only, migrations run
once by a one-shot service, and a web health check that works with the production ALLOWED_HOSTS."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
APP_SERVICES = ("migrate", "web", "worker", "beat")
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?:(?P<op>:\?|:-|\?|-)(?P<arg>[^}]*))?\}")


class MissingVariable(Exception):
    pass


def interpolate(text, environment):
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} ("$$" is a literal "$")."""

    def replace(match):
        name, op, arg = match["name"], match["op"], match["arg"]
        value = environment.get(name)
        if op == ":?" and not value:
            raise MissingVariable(f"required variable {name} is missing a value: {arg}")
        if op == ":-" and not value:
            return arg
        return value or ""

    return VARIABLE.sub(replace, text.replace("$$", "\0")).replace("\0", "$")


def stack(**environment):
    return yaml.safe_load(interpolate(COMPOSE, environment))["services"]


def test_without_a_database_password_compose_stops_and_says_which_variable():
    with pytest.raises(MissingVariable, match="POSTGRES_PASSWORD"):
        stack()
    assert "POSTGRES_PASSWORD:-" not in COMPOSE and "POSTGRES_PASSWORD}" not in COMPOSE


def test_the_password_given_reaches_postgresql_and_every_application_service():
    services = stack(POSTGRES_PASSWORD="s3cretLongRandom")
    assert services["db"]["environment"]["POSTGRES_PASSWORD"] == "s3cretLongRandom"
    for name in APP_SERVICES:
        assert services[name]["environment"]["DATABASE_URL"] == "postgres://kpi:s3cretLongRandom@db:5432/kpi"


def test_gunicorn_is_published_on_the_loopback_address_only():
    services = stack(POSTGRES_PASSWORD="pw")
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    for name, service in services.items():
        if name != "web":
            assert "ports" not in service, name
    assert stack(POSTGRES_PASSWORD="pw", WEB_BIND="10.0.0.5")["web"]["ports"] == ["10.0.0.5:8000:8000"]


def test_migrations_run_once_in_a_one_shot_service_everything_else_waits_for():
    services = stack(POSTGRES_PASSWORD="pw")
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in " ".join(map(str, services[name].get("command", []))), name
    assert "migrate" not in (ROOT / "Dockerfile").read_text().split("CMD", 1)[1]


def test_the_web_health_check_asks_readiness_without_depending_on_the_host_header():
    test = stack(POSTGRES_PASSWORD="pw")["web"]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[-1] == "http://127.0.0.1:8000/readyz"
    assert not any(part.startswith("Host:") for part in test)
