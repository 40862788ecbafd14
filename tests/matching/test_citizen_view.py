"""The single citizen view: the person page lists every source record that makes up the
resident, and shows where those records disagree, and which system says what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onestop.core.models import RecordAccess
from onestop.matching.queries import conflicting_values, source_rows
from tests.matching.factories import a_source_record, an_extract_import
from tests.personas import a_resident, an_adviser

pytestmark = pytest.mark.django_db


def table(html: str, caption: str) -> str:
    [found] = [t for t in re.findall(r"<table.*?</table>", html, re.S) if caption in t]
    return found


def test_the_person_page_lists_records_from_three_systems_and_their_conflicting_birth_dates(
        client):
    resident = a_resident()
    a_source_record(
        "council_tax", person=resident, reference="CT-0042",
        seen=an_extract_import("council_tax",
                               started_at=dt.datetime(2025, 2, 3, 9, tzinfo=dt.UTC)))
    a_source_record("benefits", person=resident, reference="HB-7781",
                    date_of_birth=dt.date(1958, 4, 3))
    a_source_record("electoral_register", person=resident, reference="ER-1203", retired=True)
    adviser = an_adviser()
    client.force_login(adviser)
    response = client.get(f"/people/{resident.pk}/")
    assert response.status_code == 200
    html = response.content.decode()

    records = table(html, "Records in back-office systems")
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", records, re.S)[1:]
    assert len(rows) == 3
    benefits, council, electoral = rows  # ordered by system name, then reference
    assert "Benefits and awards" in benefits and "HB-7781" in benefits
    assert "Council tax accounts" in council and "CT-0042" in council
    assert "3 Feb 2025" in council
    assert "Electoral register" in electoral and "Retired" in electoral
    assert "Retired" not in benefits

    conflicts = table(html, "Conflicting values")
    assert "Date of birth" in conflicts
    dates = re.findall(r"<td class=\"govuk-table__cell\">(.*?)</td>\s*"
                       r"<td class=\"govuk-table__cell\">(.*?)</td>", conflicts, re.S)
    assert ("14 March 1958", "Council tax accounts") in dates
    assert ("3 April 1958", "Benefits and awards") in dates
    # The retired electoral register record is history, not a conflict; names agree.
    assert "Electoral register" not in conflicts
    assert "Name" not in conflicts

    access = RecordAccess.objects.get(person=resident)
    assert (access.user, access.granted, access.purpose) == (adviser, True, "view")


def test_the_person_page_shows_the_uprn_of_the_home(client):
    resident = a_resident()
    client.force_login(an_adviser())
    html = client.get(f"/people/{resident.pk}/").content.decode()
    assert str(resident.household.property.uprn) in html


def test_a_resident_without_source_records_says_so(client):
    resident = a_resident()
    client.force_login(an_adviser())
    html = client.get(f"/people/{resident.pk}/").content.decode()
    assert "No back-office system has a record linked to this resident yet" in html
    assert "Conflicting values" not in html


def test_the_person_page_makes_no_more_queries_with_more_source_records(client):
    client.force_login(an_adviser())
    one = a_resident()
    a_source_record(person=one)
    many = a_resident()
    for source in ("council_tax", "benefits", "electoral_register", "garden_waste",
                   "parking_permits"):
        a_source_record(source, person=many, date_of_birth=dt.date(1950 + len(source), 1, 1))
    client.get(f"/people/{one.pk}/")  # warm the source-title cache alike for both
    client.get(f"/people/{many.pk}/")
    with CaptureQueriesContext(connection) as with_one:
        client.get(f"/people/{one.pk}/")
    with CaptureQueriesContext(connection) as with_many:
        client.get(f"/people/{many.pk}/")
    assert len(with_many) == len(with_one)


# --- the computation ------------------------------------------------------------------------


def test_conflicting_values_lists_each_value_once_with_every_system_that_gives_it():
    records = [
        a_source_record("council_tax", date_of_birth=dt.date(1958, 3, 14),
                        national_insurance_number="AB123456C"),
        a_source_record("housing_tenancies", date_of_birth=dt.date(1958, 3, 14)),
        a_source_record("benefits", date_of_birth=dt.date(1985, 3, 14),
                        national_insurance_number="AB123456C"),
    ]
    [dob] = conflicting_values(records)
    assert dob.label == "Date of birth"
    assert dob.values == [("14 March 1958", ["Council tax accounts",
                                             "Council housing tenancies"]),
                          ("14 March 1985", ["Benefits and awards"])]


def test_names_addresses_and_ni_numbers_conflict_but_missing_values_do_not():
    records = [
        a_source_record("council_tax", given_name="margaret", address="12 station road",
                        national_insurance_number="AB123456C"),
        a_source_record("benefits", given_name="maggie", address="12 station road",
                        postcode="IP14 1AD", national_insurance_number="AB123456D"),
        a_source_record("electoral_register", given_name="margaret", date_of_birth=None,
                        address="12 station road"),
    ]
    conflicts = {c.label: c.values for c in conflicting_values(records)}
    assert set(conflicts) == {"Name", "Address", "National Insurance number"}
    assert conflicts["Name"] == [("Margaret Okafor", ["Council tax accounts",
                                                      "Electoral register"]),
                                 ("Maggie Okafor", ["Benefits and awards"])]
    assert ("12 Station Road, IP14 1AD", ["Benefits and awards"]) in conflicts["Address"]


def test_records_that_agree_have_no_conflicts_and_retired_ones_are_left_out():
    records = [a_source_record("council_tax"), a_source_record("benefits"),
               a_source_record("garden_waste", date_of_birth=dt.date(1900, 1, 1),
                               retired=True)]
    assert conflicting_values(records) == []
    rows = source_rows(records)
    assert [row.retired for row in rows] == [False, False, True]
    assert rows[2].system == "Garden waste subscriptions"
