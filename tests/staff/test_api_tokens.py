"""Partner systems get API tokens; nobody else does."""

from __future__ import annotations

import pytest

from onestop.staff.actions import StaffError, do_issue_api_token
from onestop.staff.models import Role
from tests.personas import a_staff_member

pytestmark = pytest.mark.django_db


def test_an_api_token_key_of_the_wrong_length_is_refused_by_name():
    partner = a_staff_member(Role.PARTNER_SYSTEM)
    with pytest.raises(StaffError, match="20 to 40 characters"):
        do_issue_api_token(partner, key="x" * 41)
    assert len(do_issue_api_token(partner, key="k" * 40)) == 40


def test_reissuing_a_token_replaces_the_old_one():
    partner = a_staff_member(Role.PARTNER_SYSTEM)
    first = do_issue_api_token(partner)
    second = do_issue_api_token(partner)
    assert first != second
    assert partner.auth_token.key == second


def test_only_partner_systems_get_tokens():
    with pytest.raises(StaffError, match="partner-system"):
        do_issue_api_token(a_staff_member(Role.ADVISER))
