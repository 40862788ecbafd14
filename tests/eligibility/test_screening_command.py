"""`onestop screen` lists residents likely eligible and not receiving, as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from onestop.catalogue.models import Service
from onestop.eligibility.actions import SHIPPED_RULES, do_publish_rule, do_save_rule_draft
from onestop.people.actions import do_register_person
from onestop.people.models import BenefitAward, Person, ServiceReceived
from onestop.staff.models import Role
from tests.personas import a_property, a_resident, a_staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def residents(rules):
    family_home = a_property(property_type="house", tenure="council_rented")
    mother = a_resident(property=family_home, given_name="Dawn", family_name="Archer",
                        date_of_birth=dt.date(1988, 6, 2))
    do_register_person(given_name="Lily", family_name="Archer", property=family_home,
                       date_of_birth=dt.date(2017, 10, 12))
    BenefitAward.objects.create(person=mother, benefit="universal_credit")
    upstairs = a_resident(property=a_property(property_type="flat", floor=2),
                          given_name="Ravi", family_name="Shah")
    subscriber = a_resident(property=a_property(property_type="bungalow"),
                            given_name="Joan", family_name="Ellis")
    ServiceReceived.objects.create(person=subscriber, service=Service.objects.get(lgsl=530),
                                   source="garden_waste")
    return mother, upstairs, subscriber


def shipped_rule(lgsl: int) -> dict:
    return next(d for d in json.loads(SHIPPED_RULES.read_text()) if d["lgsl"] == lgsl)


def rows(path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_screening_one_service_lists_who_to_offer_it_with_the_reason(residents, tmp_path,
                                                                     capsys):
    mother = residents[0]
    out = tmp_path / "meals.csv"
    call_command("screen", "--service", "4", "--out", str(out))
    listed = rows(out)
    assert [(r["person_id"], r["lgsl"]) for r in listed] == [(str(mother.pk), "4")]
    assert listed[0]["service"] == "Free school meals"
    assert listed[0]["reason"].startswith("A child of school age lives here")
    assert "1 offers to make to 1 residents across 1 services" in capsys.readouterr().err


def test_garden_waste_is_listed_neither_for_an_upstairs_flat_nor_for_a_subscriber(residents,
                                                                                  tmp_path):
    mother = residents[0]
    out = tmp_path / "garden.csv"
    call_command("screen", "--service", "530", "--out", str(out))
    assert {r["person_id"] for r in rows(out)} == {str(mother.pk)}


def test_every_published_rule_is_screened_when_no_service_is_named(residents, tmp_path):
    out = tmp_path / "all.csv"
    call_command("screen", "--out", str(out))
    assert {r["lgsl"] for r in rows(out)} >= {"4", "530", "58"}


def test_a_service_without_a_published_rule_is_refused_by_name(residents):
    with pytest.raises(CommandError, match=r"no published eligibility rule for LGSL 524 "
                                           r"\(published: 4, 58, 69, 279, 474, 530\)"):
        call_command("screen", "--service", "524")


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text(residents, tmp_path):
    mother = residents[0]
    mother.family_name = '=HYPERLINK("http://evil.example","Archer")'
    mother.save(update_fields=["family_name"])  # as a bad extract row would leave it
    out = tmp_path / "meals.csv"
    call_command("screen", "--service", "4", "--out", str(out))
    assert rows(out)[0]["family_name"] == "'" + mother.family_name


HOSTILE = ["=", "+", "-", "@", "\uff1d"]  # the last a full-width equals sign


@pytest.mark.parametrize("start", HOSTILE, ids=["equals", "plus", "minus", "at", "full-width"])
def test_no_cell_of_a_campaign_list_runs_as_a_formula(residents, tmp_path, start):
    """A service owner's reason, a catalogue label and a resident's name or address alike."""
    mother = residents[0]
    formula = f'{start}HYPERLINK("http://evil.example","Apply here")'
    meals = Service.objects.get(lgsl=4)
    definition = {**shipped_rule(4), "eligible_reason": formula}
    owner = a_staff_member(Role.SERVICE_OWNER)
    do_publish_rule(do_save_rule_draft(meals, definition, by=owner), by=owner,
                    review_by=timezone.localdate() + dt.timedelta(days=365))
    Service.objects.filter(pk=meals.pk).update(label=f"{start}1+1")  # as a catalogue load would
    Person.objects.filter(pk=mother.pk).update(given_name=f" {start}cmd|'/c calc'!A0")
    out = tmp_path / "meals.csv"
    call_command("screen", "--service", "4", "--out", str(out))
    with out.open(newline="", encoding="utf-8") as handle:
        header, *listed = list(csv.reader(handle))
    assert len(listed) == 1
    for cell in [*header, *listed[0]]:
        assert cell.lstrip()[:1] not in {*HOSTILE, "\t", "\r"}, cell
    row = dict(zip(header, listed[0], strict=True))
    assert row["reason"] == "'" + formula
    assert row["service"] == f"'{start}1+1"
    assert row["given_name"] == f"' {start}cmd|'/c calc'!A0"
    # Numbers stay numbers: the ids are written bare, for a spreadsheet to sort and sum.
    assert (row["person_id"], row["lgsl"]) == (str(mother.pk), "4")
