"""Source profiles: a previous address is read like an address, and checked as strictly."""

from __future__ import annotations

import pytest

from onestop.matching.profiles import ProfileError, load_profile, parse_profile

BASE = {"name": "library_members", "title": "Library memberships", "reference": "MemberNo",
        "person_name": {"style": "split", "forenames": "First", "family": "Last"},
        "address": {"lines": ["Addr1"], "postcode": "Postcode"}}


def test_the_council_tax_profile_reads_the_move_in_forms_previous_address():
    profile = load_profile("council_tax")
    assert profile.previous_address.one_line == "PREV_ADDRESS"
    assert profile.previous_address.town_in_line
    assert {"PREV_ADDRESS", "PREV_POSTCODE"} <= set(profile.required_columns())


def test_a_profile_without_a_previous_address_reads_none():
    assert parse_profile(BASE, where="library.toml").previous_address is None


def test_a_previous_address_with_a_uprn_column_is_refused_naming_the_key():
    document = {**BASE, "previous_address": {"one_line": "Prev", "postcode": "PrevPC",
                                             "uprn": "PrevUPRN"}}
    with pytest.raises(ProfileError, match=r"library.toml \[previous_address\]: 'uprn'"):
        parse_profile(document, where="library.toml")


def test_an_unknown_key_in_the_previous_address_is_refused():
    document = {**BASE, "previous_address": {"one_line": "Prev", "postcode": "PrevPC",
                                             "moved": "When"}}
    with pytest.raises(ProfileError, match=r"unknown key\(s\): moved"):
        parse_profile(document, where="library.toml")
