"""The shipped eligibility rules, published for each test that needs them."""

from __future__ import annotations

import pytest

from onestop.eligibility.actions import do_load_shipped_rules


@pytest.fixture
def rules(db):
    return do_load_shipped_rules()
