"""Test set-up shared by every tier: reference data is loaded once per test database."""

from __future__ import annotations

import os
from io import StringIO

import pytest

os.environ.setdefault("ONESTOP_ENV", "test")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("load_reference", stdout=StringIO())
        call_command("load_dialogues", stdout=StringIO())
