"""The published quarter of the appeal tests (tests/appeals/conftest.py), for the corrections' tests."""

from tests.appeals.conftest import english, media, published, scored  # noqa: F401
