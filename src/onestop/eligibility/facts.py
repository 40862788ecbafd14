"""The facts eligibility rules may read, and how each is worked out for one resident.

This catalogue is the whole vocabulary of the rule language: a rule naming anything else
is refused on save. Every fact has one meaning in both evaluators: `facts_for` (Python,
one resident, for the person page) and `screening.FACTS_SQL` (DuckDB, the whole
population). A fact that cannot be known (no date of birth, no address) is None; a
comparison with an unknown fact is false, and so is an unknown yes/no fact.

Household facts count the resident's household, themselves included; a resident with no
known household is a household of one. Residents who have died are left out of households
and of screening, and are offered nothing. School age is the 31 August rule: a child is of
school age from Reception to Year 11 of the current academic year (1 September to 31
August), the year group worked out from their date of birth as schools do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from onestop.people.models import (
    STATE_PENSION_AGE,
    BenefitAward,
    Person,
    Property,
    ServiceReceived,
)

BOOL, INT, STR = "yes/no", "number", "text"
BENEFITS = dict(BenefitAward.Benefit.choices)


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: str
    label: str  # how a reason names it: "school-age children in the household"
    argument: str = ""  # "benefit" or "lgsl" for a fact read with an argument
    values: tuple[str, ...] = ()  # the texts a text fact can have


FACTS: dict[str, FactSpec] = {spec.name: spec for spec in (
    FactSpec("person.age", INT, "age"),
    FactSpec("person.is_adult", BOOL, "aged 18 or over"),
    FactSpec("person.of_pension_age", BOOL, f"of state pension age ({STATE_PENSION_AGE}+)"),
    FactSpec("person.has_disability", BOOL, "has a disability"),
    FactSpec("person.receives", BOOL, "receives {arg}", argument="benefit"),
    FactSpec("person.receives_service", BOOL, "has {arg}", argument="lgsl"),
    FactSpec("household.size", INT, "people in the household"),
    FactSpec("household.adults", INT, "adults (18+) in the household"),
    FactSpec("household.school_age_children", INT, "school-age children in the household"),
    FactSpec("household.children_under_16", INT, "children under 16 in the household"),
    FactSpec("household.receives", BOOL, "someone in the household receives {arg}",
             argument="benefit"),
    FactSpec("household.receives_service", BOOL, "someone in the household has {arg}",
             argument="lgsl"),
    FactSpec("property.known", BOOL, "home address known"),
    FactSpec("property.type", STR, "type of home", values=tuple(Property.Type.values)),
    FactSpec("property.floor", INT, "floor of the flat (0 is the ground floor)"),
    FactSpec("property.tenure", STR, "tenure", values=tuple(Property.Tenure.values)),
    FactSpec("property.council_tax_band", STR, "council tax band",
             values=tuple(Property.Band.values)),
)}


def age_on(born: dt.date | None, day: dt.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def year_group(born: dt.date | None, day: dt.date) -> int | None:
    """England's national curriculum year on `day` (0 = Reception), by the 31 August rule."""
    if born is None:
        return None
    academic_year = day.year if day.month >= 9 else day.year - 1
    cohort = born.year + (1 if born.month >= 9 else 0)
    return academic_year - (cohort + 4)


def is_school_age(born: dt.date | None, day: dt.date) -> bool:
    group = year_group(born, day)
    return group is not None and 0 <= group <= 11


@dataclass(frozen=True)
class Member:
    """What the facts need to know about one resident."""

    date_of_birth: dt.date | None
    has_disability: bool = False
    benefits: frozenset[str] = frozenset()
    services: frozenset[int] = frozenset()  # LGSL numbers received


@dataclass(frozen=True)
class Home:
    type: str | None = None
    floor: int | None = None
    tenure: str | None = None
    council_tax_band: str | None = None


@dataclass(frozen=True)
class Facts:
    """One resident's facts on `today`: themselves, their household (them included) and
    their home (None when not known)."""

    person: Member
    household: tuple[Member, ...]
    home: Home | None
    today: dt.date
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def value(self, name: str, argument: str | int | None = None):
        key = (name, argument)
        if key not in self._cache:
            self._cache[key] = self._work_out(name, argument)
        return self._cache[key]

    def _work_out(self, name: str, argument):
        person, today, home = self.person, self.today, self.home
        ages = [age_on(m.date_of_birth, today) for m in self.household]
        age = age_on(person.date_of_birth, today)
        match name:
            case "person.age":
                return age
            case "person.is_adult":
                return age is not None and age >= 18
            case "person.of_pension_age":
                return age is not None and age >= STATE_PENSION_AGE
            case "person.has_disability":
                return person.has_disability
            case "person.receives":
                return argument in person.benefits
            case "person.receives_service":
                return argument in person.services
            case "household.size":
                return len(self.household)
            case "household.adults":
                return sum(1 for a in ages if a is not None and a >= 18)
            case "household.school_age_children":
                return sum(1 for m in self.household if is_school_age(m.date_of_birth, today))
            case "household.children_under_16":
                return sum(1 for a in ages if a is not None and a < 16)
            case "household.receives":
                return any(argument in m.benefits for m in self.household)
            case "household.receives_service":
                return any(argument in m.services for m in self.household)
            case "property.known":
                return home is not None
            case "property.type":
                return home.type if home else None
            case "property.floor":
                return home.floor if home else None
            case "property.tenure":
                return home.tenure if home else None
            case "property.council_tax_band":
                return home.council_tax_band if home else None
        raise KeyError(name)


def facts_for(person, today: dt.date) -> Facts:
    """The facts of one resident from the main database: four queries, whatever the
    household's size. A member who has died is no longer counted in the household."""
    household_id = person.household_id
    members = list(
        Person.objects.filter(household_id=household_id, date_of_death__isnull=True)
        if household_id else Person.objects.filter(pk=person.pk))
    if person.pk not in {m.pk for m in members}:
        members.append(person)  # a resident who has died is still judged as themselves
    ids = [m.pk for m in members]
    benefits: dict[int, set[str]] = {pk: set() for pk in ids}
    for pk, benefit in BenefitAward.objects.filter(person_id__in=ids).values_list(
            "person_id", "benefit"):
        benefits[pk].add(benefit)
    services: dict[int, set[int]] = {pk: set() for pk in ids}
    for pk, lgsl in ServiceReceived.objects.filter(person_id__in=ids).values_list(
            "person_id", "service__lgsl"):
        services[pk].add(lgsl)
    as_member = {m.pk: Member(m.date_of_birth, m.has_disability, frozenset(benefits[m.pk]),
                              frozenset(services[m.pk])) for m in members}
    home = None
    if household_id:
        prop = Property.objects.filter(households__id=household_id).first()
        if prop is not None:
            home = Home(prop.property_type or None, prop.floor, prop.tenure or None,
                        prop.council_tax_band or None)
    return Facts(as_member[person.pk], tuple(as_member.values()), home, today)
