"""The back-office extracts: each its own conventions, every record traceable to a person."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from onestop.demo.extracts.sources import year_group
from onestop.demo.population import generate_population
from onestop.people.models import Property
from tests.demo.conftest import SEED, TODAY

pytestmark = pytest.mark.django_db

ID_COLUMNS = {
    "council_tax": "ACCOUNT_REF", "benefits": "claim_id", "electoral_register": "Elector Number",
    "housing_tenancies": "TenantRef", "school_admissions": "ApplicationNo",
    "garden_waste": "customer_ref", "parking_permits": "Permit No",
}


def read(folder, name) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def header(folder, name) -> list[str]:
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


BUILT_PEOPLE = 800


@pytest.fixture
def built(build):
    area = build(people=BUILT_PEOPLE)
    return area, area.extracts_dir


def built_population():
    """The population `built` made: the generator is deterministic for a seed and day."""
    return generate_population(BUILT_PEOPLE, SEED, TODAY)


def test_each_extract_has_its_own_header_with_its_record_id_first(built):
    _, folder = built
    headers = {name: tuple(header(folder, name)) for name in ID_COLUMNS}
    assert len(set(headers.values())) == len(ID_COLUMNS)
    for name, id_column in ID_COLUMNS.items():
        assert headers[name][0] == id_column


def test_record_counts_are_plausible_for_the_population(built):
    area, folder = built
    counts = {name: len(read(folder, name)) for name in ID_COLUMNS}
    assert counts == area.extract_records
    households, people = area.households, area.people
    assert 0.95 * households <= counts["council_tax"] <= 1.05 * households
    assert 0.55 * people <= counts["electoral_register"] <= 0.9 * people
    assert 0.1 * people <= counts["benefits"] <= 0.5 * people
    assert 0.05 * people <= counts["school_admissions"] <= 0.25 * people
    assert 0.15 * households <= counts["garden_waste"] <= 0.5 * households
    assert 0 < counts["housing_tenancies"] <= 0.2 * people
    assert 0 < counts["parking_permits"] <= 0.2 * people


def test_record_ids_are_unique_within_each_extract(built):
    _, folder = built
    for name, id_column in ID_COLUMNS.items():
        ids = [row[id_column] for row in read(folder, name)]
        assert len(ids) == len(set(ids)), name


def test_every_extract_record_has_a_ground_truth_row_naming_a_generated_resident(built):
    area, folder = built
    truth = {(row["source"], row["source_record_id"]): int(row["resident"])
             for row in read(folder, "ground_truth")}
    records = {(name, row[id_column]) for name, id_column in ID_COLUMNS.items()
               for row in read(folder, name)}
    assert set(truth) == records
    assert set(truth.values()) <= set(range(area.residents))


def test_ground_truth_links_council_tax_accounts_to_their_propertys_residents(built):
    _, folder = built
    truth = {row["source_record_id"]: int(row["resident"])
             for row in read(folder, "ground_truth") if row["source"] == "council_tax"}
    homes = {spec.index: household.property.uprn for household in built_population().households
             for spec in household.members}
    for row in read(folder, "council_tax"):
        assert str(homes[truth[row["ACCOUNT_REF"]]]) == row["UPRN"]


def test_garden_waste_never_goes_to_flats_above_the_ground_floor(built):
    _, folder = built
    rows = read(folder, "garden_waste")
    assert rows
    uprns_by_address = {}
    for prop in Property.objects.all():
        key = (", ".join(p for p in (prop.address_line_1, prop.address_line_2) if p),
               prop.postcode)
        uprns_by_address[key] = prop
    for row in rows:
        postcode = row["postcode"].upper().replace(" ", "")
        postcode = f"{postcode[:-3]} {postcode[-3:]}"
        prop = uprns_by_address[(row["address"], postcode)]
        assert prop.floor in (None, 0), prop


def test_schools_hold_children_of_school_age_and_elections_adults_and_attainers(built):
    _, folder = built
    truth = {(row["source"], row["source_record_id"]): int(row["resident"])
             for row in read(folder, "ground_truth")}
    people = {spec.index: spec for spec in built_population().people}
    for row in read(folder, "school_admissions"):
        child = people[truth[("school_admissions", row["ApplicationNo"])]]
        assert 0 <= year_group(child.date_of_birth, TODAY) <= 11
        assert 3 <= child.age_on(TODAY) <= 16
    for row in read(folder, "electoral_register"):
        elector = people[truth[("electoral_register", row["Elector Number"])]]
        age = elector.age_on(TODAY)
        assert age >= 17
        assert bool(row["Attainer Date"]) == (age == 17)


def test_the_extracts_carry_realistic_errors_at_modest_rates(built):
    _, folder = built
    council_tax = read(folder, "council_tax")
    untidy = [r for r in council_tax
              if " " not in r["POSTCODE"] or r["POSTCODE"] != r["POSTCODE"].upper()]
    missing_dob = [r for r in council_tax if not r["LEAD_LIABLE_DOB"]]
    assert 0 < len(untidy) < 0.15 * len(council_tax)
    assert 0 < len(missing_dob) < 0.2 * len(council_tax)
    truth = Counter((row["source"], row["resident"]) for row in read(folder, "ground_truth"))
    duplicated = [key for key, count in truth.items()
                  if count > 1 and key[0] in ("council_tax", "benefits", "school_admissions")]
    assert duplicated
    assert "LEAD_LIABLE_NAME" in header(folder, "council_tax")
    assert all(", " in row["LEAD_LIABLE_NAME"] for row in council_tax)


def test_the_readme_describes_every_extract_and_its_errors(built):
    area, folder = built
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for name, id_column in ID_COLUMNS.items():
        assert f"## {name}.csv" in readme
        assert f"`{id_column}`" in readme
        assert f"| `{name}.csv` | {area.extract_records[name]:,} |" in readme
    assert "ground_truth.csv" in readme and "| duplicate |" in readme
