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
