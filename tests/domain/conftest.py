"""Pure tests: the domain's rules and the code's own shape, without a database. The suite's
app context and database cleanup (tests/conftest.py) are not set up for them."""

import pytest


@pytest.fixture(autouse=True)
def _app_context():
    """Nothing: these tests touch neither the app nor the database."""
    yield
