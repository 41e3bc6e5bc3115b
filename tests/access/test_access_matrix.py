"""The access matrix (README.md, "Security model"): every URL pattern of the project, every persona, the declared
outcome.

The patterns come from the resolver, so a view added without a row in tests/access/matrix.py fails
test_every_url_pattern_has_a_row_in_the_matrix by name."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.access.enumerate import all_url_patterns
from tests.access.matrix import EXCLUDED_NAMES, EXCLUDED_NAMESPACES, MATRIX, PERSONAS

LOGIN_URL = "/accounts/login/"


def _excluded(name):
    return name in EXCLUDED_NAMES or (name or "").split(":", 1)[0] in EXCLUDED_NAMESPACES


def served_patterns():
    """(name, route) of every pattern the matrix must cover."""
    patterns = []
    for name, route in all_url_patterns():
        if name is None and route.split("/", 1)[0] + ":" == "admin:":
            continue
        if name is None and any(route.startswith(f"{ns}/") for ns in EXCLUDED_NAMESPACES):
            continue  # the admin's unnamed redirects and catch-all
        if not _excluded(name):
            patterns.append((name, route))
    return patterns


def test_every_url_pattern_has_a_row_in_the_matrix():
    # Given every pattern the resolver serves, outside the stated exclusions
    served = served_patterns()
    # Then each has a name the matrix can refer to, and a row
    unnamed = [route for name, route in served if name is None]
    assert not unnamed, f"URL patterns without a name cannot be declared in the matrix: {unnamed}"
    missing = [f"{name} ({route})" for name, route in served if name not in MATRIX]
    assert not missing, "URL patterns missing from tests/access/matrix.py: " + ", ".join(missing)


def test_every_row_of_the_matrix_is_a_pattern_that_exists():
    names = {name for name, _route in served_patterns()}
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"rows of tests/access/matrix.py whose URL pattern no longer exists: {stale}"


def test_every_row_declares_every_persona():
    for name, cases in MATRIX.items():
        assert cases, name
        for case in cases:
            assert set(case.expect) == set(PERSONAS), name


def _cases():
    for name, cases in MATRIX.items():
        for index, case in enumerate(cases):
            suffix = case.id or (case.method.lower() if index else "")
            yield pytest.param(name, case, id=f"{name}{'-' + suffix if suffix else ''}")


def _request(user, case, path, world):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    # Each persona's request runs in a savepoint that is rolled back, so an allowed POST by one persona does not
    # change what the next one meets.
    with transaction.atomic():
        response = client.post(path, case.data(world)) if case.method == "POST" else client.get(path)
        transaction.set_rollback(True)
    return response


def _matches(response, outcome, world):
    if response.status_code != outcome.status:
        return False
    if outcome.status in (301, 302, 303):
        where = outcome.where(world)
        location = response["Location"]
        if where is None:  # any redirect that is not the login page
            return not location.startswith(LOGIN_URL)
        return location.startswith(where)
    return True


def _describe(response):
    if response.status_code in (301, 302, 303):
        return f"{response.status_code} → {response['Location']}"
    return str(response.status_code)


@pytest.mark.parametrize(("name", "case"), list(_cases()))
def test_each_persona_meets_the_declared_outcome(world, name, case):
    # Given the world and the URL built from the row's arguments
    path = reverse(name, kwargs=case.args(world))
    users = {**world.personas, "anonymous": None}
    # When each persona asks for it
    wrong = []
    for persona in PERSONAS:
        outcome = case.expect[persona]
        response = _request(users[persona], case, path, world)
        if not _matches(response, outcome, world):
            where = outcome.where(world) if outcome.location else ""
            wrong.append(f"{persona}: expected {outcome}{' ' + where if where else ''}, got {_describe(response)}")
    # Then each meets exactly what the matrix declares
    assert not wrong, f"{case.method} {path} ({case.note}):\n  " + "\n  ".join(wrong)
