"""The golden record: a person's name, date of birth, home and benefits from their records.

Survivorship rules, in order: a value more records agree on wins; on a tie, the value from
the system most trusted for that kind of fact wins (council tax and tenancies know where
people live now; benefits know dates of birth and NI numbers). Initials never beat a name.
Conflicting values stay visible on the single citizen view; nothing here discards them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable

from onestop.core.bulk import bulk_insert, bulk_set, insert_returning_ids, values_where_in
from onestop.matching.models import SourceRecord
from onestop.people.models import BenefitAward, FormerHome, Household, Person, Property

# Higher is more trusted. A source not listed (a council's own addition) counts as 0.
HOME_TRUST = {"council_tax": 6, "housing_tenancies": 5, "garden_waste": 4,
              "electoral_register": 3, "parking_permits": 2, "school_admissions": 1}
IDENTITY_TRUST = {"benefits": 6, "council_tax": 5, "housing_tenancies": 4,
                  "school_admissions": 3, "electoral_register": 2}
FIELDS = ["title", "given_name", "middle_names", "family_name", "date_of_birth",
          "national_insurance_number", "household_id"]
# What the golden record is made from, one tuple per active source record.
FACT_FIELDS = ("source", "title", "given_name", "middle_names", "family_name",
               "date_of_birth", "national_insurance_number", "uprn",
               "attributes__benefits", "attributes__award_start")
(SOURCE, TITLE, GIVEN, MIDDLE, FAMILY, BORN, NINO, UPRN, BENEFITS, AWARD_START) = range(10)
Fact = tuple


@functools.lru_cache(maxsize=100_000)  # names repeat across a county's residents
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
    counted: dict[object, int] = {}
    trusted: dict[object, int] = {}
    for value, source in values:
        if value is None or value == "":
            continue
        counted[value] = counted.get(value, 0) + 1
        trusted[value] = max(trusted.get(value, -1), trust.get(source, 0))
    if not counted:
        return None
    if len(counted) == 1:
        return next(iter(counted))
    return max(counted, key=lambda value: (counted[value], trusted[value], str(value)))


def _of(facts: list[Fact], index: int) -> list[tuple[object, str]]:
    return [(fact[index], fact[SOURCE]) for fact in facts]


def golden(facts: list[Fact]) -> tuple:
    """(title, given, middle, family, date of birth, NI number, UPRN of home) of a person
    with these records."""
    given = _best([(f[GIVEN], f[SOURCE]) for f in facts if len(f[GIVEN]) > 1],
                  IDENTITY_TRUST) or _best(_of(facts, GIVEN), IDENTITY_TRUST) or ""
    return (display_name(_best(_of(facts, TITLE), IDENTITY_TRUST) or ""),
            display_name(given),
            display_name(_best([(f[MIDDLE], f[SOURCE]) for f in facts if f[GIVEN] == given],
                               IDENTITY_TRUST) or ""),
            display_name(_best(_of(facts, FAMILY), IDENTITY_TRUST) or ""),
            _best(_of(facts, BORN), IDENTITY_TRUST),
            _best(_of(facts, NINO), IDENTITY_TRUST) or "",
            _best(_of(facts, UPRN), HOME_TRUST))


def refresh_people(person_ids: Iterable[int]) -> None:
    """Recompute the golden record (and benefit awards) of each person from their records."""
    facts: dict[int, list[Fact]] = {}
    for person, *fact in values_where_in(SourceRecord.objects.filter(retired_at__isnull=True),
                                         "person_id", person_ids, *FACT_FIELDS):
        facts.setdefault(person, []).append(tuple(fact))
    write_golden(facts)


def write_golden(facts: dict[int, list[Fact]]) -> None:
    """Set each person's golden record from the facts of their records, writing only the
    people whose golden record changed, and add the benefit awards their records report."""
    households = _households({fact[UPRN] for mine in facts.values() for fact in mine
                              if fact[UPRN]})
    current = {pk: tuple(values) for pk, *values in values_where_in(
        Person.objects.all(), "pk", facts, *FIELDS)}
    changed, awards, left = [], [], []
    for pk, mine in facts.items():
        if pk not in current or not mine:
            continue  # merged away meanwhile, or no active record left
        *names, uprn = golden(mine)
        household = households.get(uprn) if uprn else current[pk][-1]
        values = (*names, household)
        if values != current[pk]:
            changed.append((pk, *values))
            if current[pk][-1] not in (None, household):
                left.append((pk, current[pk][-1]))
        awards += awards_of(pk, mine)
    bulk_set(Person, FIELDS, changed)
    bulk_insert(BenefitAward, ["person", "benefit", "since"], awards, ignore_conflicts=True)
    _keep_former_homes(left)


def _keep_former_homes(left: list[tuple[int, int]]) -> None:
    """Record each (person, household) a person's golden record moved them out of."""
    properties = dict(values_where_in(Household.objects.all(), "pk",
                                      {household for _, household in left}, "property_id"))
    bulk_insert(FormerHome, ["person", "property"],
                ((pk, properties[household]) for pk, household in left
                 if household in properties), ignore_conflicts=True)


def new_people(facts: list[list[Fact]]) -> list[int]:
    """Create one person per list of facts (their records'), golden record and benefit
    awards included; returns the new persons' ids in order."""
    households = _households({fact[UPRN] for mine in facts for fact in mine if fact[UPRN]})
    rows = []
    for mine in facts:
        *names, uprn = golden(mine)
        rows.append((*names, households.get(uprn) if uprn else None))
    ids = insert_returning_ids(Person, FIELDS, rows)
    bulk_insert(BenefitAward, ["person", "benefit", "since"],
                (award for pk, mine in zip(ids, facts, strict=True)
                 for award in awards_of(pk, mine)), ignore_conflicts=True)
    return ids


def _households(uprns: set[int]) -> dict[int, int]:
    """UPRN → the household living there, created when the property has none yet."""
    properties = dict(values_where_in(Property.objects.all(), "uprn", uprns, "pk"))
    existing: dict[int, int] = {}
    for property_id, household_id in sorted(values_where_in(
            Household.objects.all(), "property_id", properties.values(), "pk"),
            key=lambda row: row[1]):
        existing.setdefault(property_id, household_id)
    missing = sorted(pk for pk in properties.values() if pk not in existing)
    existing.update(zip(missing, insert_returning_ids(Household, ["property"],
                                                      [(pk,) for pk in missing]),
                        strict=True))
    return {uprn: existing[pk] for uprn, pk in properties.items()}


def awards_of(person: int, facts: list[Fact]) -> list[tuple[int, str, dt.date | None]]:
    """(person, benefit, since) of the awards the benefits system reports; ones already
    recorded are kept."""
    awards = []
    for fact in facts:
        benefits = fact[BENEFITS]
        if not benefits:
            continue
        start = fact[AWARD_START]
        since = dt.date.fromisoformat(start) if start else None
        awards += [(person, benefit, since) for benefit in benefits if benefit in KNOWN_BENEFITS]
    return awards


KNOWN_BENEFITS = frozenset(BenefitAward.Benefit.values)
