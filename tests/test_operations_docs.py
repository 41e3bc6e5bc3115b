"""The operations documentation keeps up with the settings: README's variable table and .env.example name the
operations variables, and every link from README into docs/operations.md lands on a heading."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")

SETTINGS_VARIABLES = ["CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DATABASE_DISABLE_SERVER_SIDE_CURSORS", "LOG_FORMAT",
                      "ADMINS", "SERVER_EMAIL", "LOG_LEVEL", "PRIVATE_STORAGE", "S3_BUCKET", "S3_ENDPOINT_URL",
                      "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_PREFIX",
                      "S3_ADDRESSING_STYLE"]  # fmt: skip
COMPOSE_VARIABLES = ["POSTGRES_PASSWORD", "WEB_BIND", "WEB_PORT"]


def anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("name", SETTINGS_VARIABLES + COMPOSE_VARIABLES)
def test_readme_table_names_the_variable(name):
    assert re.search(rf"^\|[^\n]*`{name}`", README, flags=re.M), name


@pytest.mark.parametrize("name", SETTINGS_VARIABLES)
def test_env_example_names_the_variable(name):
    assert re.search(rf"^{name}=", ENV_EXAMPLE, flags=re.M), name


@pytest.mark.parametrize("name", COMPOSE_VARIABLES)
def test_the_compose_variables_are_used_by_the_compose_file(name):
    assert "${" + name in (ROOT / "docker-compose.yml").read_text(encoding="utf-8")


def test_readme_links_into_operations_land_on_headings():
    headings = {anchor(h) for h in re.findall(r"^#{2,4} (.+)$", OPERATIONS, flags=re.M)}
    links = re.findall(r"docs/operations\.md#([\w\-]+)", README)
    assert links and not [link for link in links if link not in headings]


def test_operations_covers_several_machines_pooling_health_and_logs():
    headings = re.findall(r"^#{2,4} (.+)$", OPERATIONS, flags=re.M)
    assert {"Running on several machines", "Connection pooling", "Health checks", "Logs and error reports"} <= set(
        headings
    )
    section = OPERATIONS.split("## Running on several machines", 1)[1].split("\n## ", 1)[0]
    for topic in ("PostgreSQL", "Redis", "object storage", "beat", "PgBouncer", "/readyz"):
        assert topic in section or topic in OPERATIONS.split("### Connection pooling", 1)[1], topic
