"""Fixtures shared by the whole suite."""

import pytest

from tests.personas import make_firm


@pytest.fixture
def firm(db):
    """The personas: a partner, an execution-group member, three clerks, a superior with two lawyers
    and an assistant, and an outsider."""
    return make_firm()


@pytest.fixture
def client_for(client):
    """Log the test client in as a given user: client_for(firm.lawyer)."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so that no test can pass on what another left there (no page keeps
    results in it: docs/operations.md, "No results cache")."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in English whatever the test before it left active (Django's test client leaves the
    language of its last request active in the thread). A test about Chinese text overrides it itself."""
    from django.utils import translation

    with translation.override("en"):
        yield


def pytest_terminal_summary(terminalreporter):
    """The figures the fault tests record (tests/notifications/test_faults.py) at the end of the run, also under
    pytest -n: the hook lives here because the controller of -n loads only this conftest."""
    lines = [
        value
        for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        if report.when == "call"
        for name, value in report.user_properties
        if name == "fault_figures"
    ]
    if lines:
        terminalreporter.write_sep("-", "fault tests: expected / delivered / duplicated")
        for line in sorted(lines):
            terminalreporter.write_line(line)
