"""The shipped eligibility rules, published for each test that needs them."""

from __future__ import annotations

import pytest

from onestop.eligibility.actions import do_load_shipped_rules

# The browser test runs against the same demo server as tests/e2e.
from tests.e2e.conftest import browser, demo_server, page, server_database  # noqa: F401


@pytest.fixture
def rules(db):
    return do_load_shipped_rules()
