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


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server"))


@pytest.fixture(autouse=True)
def reference_data_for_transactional_tests(request):
    """A transactional test ends by emptying every table, reference data included, so the
    next one (they run last, in whatever order the files give) finds it gone: load it
    again first whenever it is missing."""
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    from django.core.management import call_command

    from onestop.authorities.models import Authority

    if not Authority.objects.exists():
        call_command("load_reference", stdout=StringIO())
        call_command("load_dialogues", stdout=StringIO())
