"""Benefit awards with the correlations eligibility rules will look for.

The rates are rough orders of magnitude for a rural English district, not statistics:
renters and lone parents claim Universal Credit far more than owners; pensioners on a low
income get Pension Credit and often Housing Benefit; disability brings PIP (working age),
Attendance Allowance (pension age) or DLA (children).
"""

from __future__ import annotations

import datetime as dt
import random

from onestop.demo.specs import HouseholdSpec, PersonSpec
from onestop.people.models import STATE_PENSION_AGE, BenefitAward, Property

B = BenefitAward.Benefit
T = Property.Tenure

# Chance that a household of this kind claims Universal Credit, before tenure.
UC_BY_KIND = {"single_working": 0.15, "couple": 0.07, "family": 0.18, "lone_parent": 0.55,
              "sharers": 0.18, "adult_children": 0.06, "multigenerational": 0.15}
UC_TENURE_FACTOR = {T.COUNCIL_RENTED: 2.2, T.HOUSING_ASSOCIATION: 2.0, T.PRIVATE_RENTED: 1.3,
                    T.OWNER_OCCUPIED: 0.45}
UC_STARTED = dt.date(2018, 6, 1)  # full service reached these districts around then


def _since(rng: random.Random, earliest: dt.date, today: dt.date) -> dt.date:
    latest = today - dt.timedelta(days=14)
    if earliest >= latest:
        return latest
    return earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))


def _birthday(person: PersonSpec, age: int) -> dt.date:
    born = person.date_of_birth
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February
        return born.replace(year=born.year + age, day=28)


def award_benefits(household: HouseholdSpec, rng: random.Random, today: dt.date) -> None:
    """Fill in `benefits` of every member of `household`."""
    tenure = household.property.tenure
    renting = tenure != T.OWNER_OCCUPIED
    ages = {person.index: person.age_on(today) for person in household.members}
    # The benefit unit: the head and partner; other adults claim (or not) on their own.
    unit = [p for p in household.members if p.relationship in ("head", "partner")]
    others = [p for p in household.members
              if p.relationship in ("sharer", "adult_child", "grandparent")]
    children = [p for p in household.members if ages[p.index] < 16]

    def claim(people: list[PersonSpec], kind: str) -> None:
        working_age = [p for p in people if 18 <= ages[p.index] < STATE_PENSION_AGE]
        pensioners = [p for p in people if ages[p.index] >= STATE_PENSION_AGE]
        if working_age and not pensioners:
            chance = UC_BY_KIND.get(kind, 0.1) * UC_TENURE_FACTOR[tenure]
            if rng.random() < min(chance, 0.85):
                since = _since(rng, max(UC_STARTED, household.moved_in - dt.timedelta(days=900)),
                               today)
                for person in working_age:
                    person.benefits[B.UNIVERSAL_CREDIT] = since
                if rng.random() < 0.78:
                    people[0].benefits[B.COUNCIL_TAX_REDUCTION] = since
            elif renting and rng.random() < 0.03:
                # Legacy claims not yet moved to Universal Credit.
                since = _since(rng, today - dt.timedelta(days=3650), today)
                people[0].benefits[B.HOUSING_BENEFIT] = since
                people[0].benefits[B.COUNCIL_TAX_REDUCTION] = since
        if pensioners:
            first = pensioners[0]
            chance = 0.36 if renting else 0.07
            if rng.random() < chance:
                since = _since(rng, _birthday(first, STATE_PENSION_AGE), today)
                first.benefits[B.PENSION_CREDIT] = since
                if rng.random() < 0.85:
                    first.benefits[B.COUNCIL_TAX_REDUCTION] = since
                if renting and rng.random() < 0.8:
                    first.benefits[B.HOUSING_BENEFIT] = since
            elif renting and rng.random() < 0.22:
                since = _since(rng, _birthday(first, STATE_PENSION_AGE), today)
                first.benefits[B.HOUSING_BENEFIT] = since
                first.benefits[B.COUNCIL_TAX_REDUCTION] = since

    claim(unit, household.kind)
    for person in others:
        if ages[person.index] >= 18:
            claim([person], "single_working" if person.relationship == "sharer" else "couple")

    for person in household.members:
        age = ages[person.index]
        if not person.has_disability:
            continue
        if age < 16:
            if rng.random() < 0.7:
                person.benefits[B.DLA] = _since(rng, person.date_of_birth, today)
        elif age < STATE_PENSION_AGE:
            if rng.random() < 0.55:
                person.benefits[B.PIP] = _since(rng, _birthday(person, 16), today)
            if rng.random() < 0.15:
                person.benefits[B.ESA] = _since(rng, _birthday(person, 18), today)
            carers = [p for p in unit if p is not person
                      and 18 <= ages[p.index] < STATE_PENSION_AGE]
            if carers and rng.random() < 0.25:
                carers[0].benefits[B.CARERS_ALLOWANCE] = _since(rng, household.moved_in, today)
        elif rng.random() < 0.5:
            person.benefits[B.ATTENDANCE_ALLOWANCE] = _since(
                rng, _birthday(person, STATE_PENSION_AGE), today)
        elif age < 76 and rng.random() < 0.3:
            # Kept from before pension age: PIP continues, AA is for new claims after it.
            person.benefits[B.PIP] = _since(rng, _birthday(person, 50), today)

    if children:
        # Claimed by the mother where there is one; high earners opt out.
        on_uc = any(B.UNIVERSAL_CREDIT in p.benefits for p in unit)
        parents = sorted((p for p in unit if ages[p.index] >= 16),
                         key=lambda p: (p.sex != "F", p.index))
        if parents and rng.random() < (0.98 if on_uc else 0.86):
            eldest = max(children, key=lambda p: ages[p.index])
            since = eldest.date_of_birth + dt.timedelta(days=rng.randint(14, 120))
            parents[0].benefits[B.CHILD_BENEFIT] = min(since, today - dt.timedelta(days=14))
