"""The golden record: a person's name, date of birth, home and benefits from their records.

Survivorship rules, in order: a value more records agree on wins; on a tie, the value from
the system most trusted for that kind of fact wins (council tax and tenancies know where
people live now; benefits know dates of birth and NI numbers). Initials never beat a name.
Conflicting values stay visible on the single citizen view; nothing here discards them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable

from onestop.core.bulk import bulk_set
from onestop.matching.models import SourceRecord
from onestop.people.models import BenefitAward, Household, Person, Property

# Higher is more trusted. A source not listed (a council's own addition) counts as 0.
HOME_TRUST = {"council_tax": 6, "housing_tenancies": 5, "garden_waste": 4,
              "electoral_register": 3, "parking_permits": 2, "school_admissions": 1}
IDENTITY_TRUST = {"benefits": 6, "council_tax": 5, "housing_tenancies": 4,
                  "school_admissions": 3, "electoral_register": 2}
BATCH = 2000
FIELDS = ["title", "given_name", "middle_names", "family_name", "date_of_birth",
          "national_insurance_number", "household_id"]


def display_name(cleaned: str) -> str:
    """"o'brien" → "O'Brien", "smith-jones" → "Smith-Jones", "mcdonald" → "McDonald"."""
    def cap(match: re.Match) -> str:
        word = match.group(0)
        if word.startswith("mc") and len(word) > 2:
            return "Mc" + word[2:].capitalize()
        return word.capitalize()
    return re.sub(r"[a-z]+", cap, cleaned)


def _best(values: Iterable[tuple[object, str]], trust: dict[str, int]) -> object:
    """The value most records give; ties go to the most trusted source."""
    counted: Counter = Counter()
    trusted: dict[object, int] = {}
    for value, source in values:
        if value in (None, ""):
            continue
        counted[value] += 1
        trusted[value] = max(trusted.get(value, -1), trust.get(source, 0))
    if not counted:
        return None
    return max(counted, key=lambda value: (counted[value], trusted[value], str(value)))


def refresh_people(person_ids: Iterable[int]) -> None:
    ids = sorted(person_ids)
    for start in range(0, len(ids), BATCH):
        _refresh(ids[start:start + BATCH])


def _refresh(ids: list[int]) -> None:
    records: dict[int, list[SourceRecord]] = {}
    for record in SourceRecord.objects.filter(person_id__in=ids, retired_at__isnull=True).only(
            "person_id", "source", "title", "given_name", "middle_names", "family_name",
            "date_of_birth", "national_insurance_number", "uprn", "attributes"):
        records.setdefault(record.person_id, []).append(record)
    households = _households({r.uprn for rs in records.values() for r in rs if r.uprn})
    people = list(Person.objects.filter(pk__in=records))
    awards = []
    for person in people:
        mine = records[person.pk]
        full_names = [(r.given_name, r.source) for r in mine if len(r.given_name) > 1]
        given = _best(full_names, IDENTITY_TRUST) or _best(
            [(r.given_name, r.source) for r in mine], IDENTITY_TRUST) or ""
        person.given_name = display_name(given)
        person.family_name = display_name(
            _best([(r.family_name, r.source) for r in mine], IDENTITY_TRUST) or "")
        person.middle_names = display_name(
            _best([(r.middle_names, r.source) for r in mine if r.given_name == given],
                  IDENTITY_TRUST) or "")
        person.title = display_name(_best([(r.title, r.source) for r in mine],
                                          IDENTITY_TRUST) or "")
        person.date_of_birth = _best([(r.date_of_birth, r.source) for r in mine],
                                     IDENTITY_TRUST)
        person.national_insurance_number = _best(
            [(r.national_insurance_number, r.source) for r in mine], IDENTITY_TRUST) or ""
        uprn = _best([(r.uprn, r.source) for r in mine], HOME_TRUST)
        person.household_id = households.get(uprn) if uprn else person.household_id
        awards += _awards(person, mine)
    bulk_set(Person, FIELDS, [[p.pk, *(getattr(p, f) for f in FIELDS)] for p in people])
    BenefitAward.objects.bulk_create(awards, batch_size=BATCH, ignore_conflicts=True)


def _households(uprns: set[int]) -> dict[int, int]:
    """UPRN → the household living there, created when the property has none yet."""
    properties = dict(Property.objects.filter(uprn__in=uprns).values_list("pk", "uprn"))
    existing = {}
    for household_id, property_id in Household.objects.filter(
            property_id__in=properties).order_by("pk").values_list("pk", "property_id"):
        existing.setdefault(property_id, household_id)
    missing = [Household(property_id=pk) for pk in properties if pk not in existing]
    Household.objects.bulk_create(missing, batch_size=BATCH)
    existing.update({household.property_id: household.pk for household in missing})
    return {properties[pk]: household for pk, household in existing.items()}


def _awards(person: Person, records: list[SourceRecord]) -> list[BenefitAward]:
    """Benefit awards the benefits system reports; ones already recorded are kept."""
    known = set(BenefitAward.Benefit.values)
    awards = []
    for record in records:
        benefits = record.attributes.get("benefits") or []
        start = record.attributes.get("award_start")
        since = dt.date.fromisoformat(start) if start else None
        awards += [BenefitAward(person=person, benefit=benefit, since=since)
                   for benefit in benefits if benefit in known]
    return awards
