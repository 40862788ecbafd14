"""The two evaluators of one rule agree: per person in Python (the person page) and over
the whole population in one DuckDB pass (screening), on generated populations and on
generated rules as well as the shipped ones."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.authorities.models import Authority
from onestop.catalogue.models import Service
from onestop.eligibility.actions import SHIPPED_RULES
from onestop.eligibility.definitions import RuleDefinition
from onestop.eligibility.facts import BENEFITS, FACTS, facts_for
from onestop.eligibility.language import parse
from onestop.eligibility.screening import (
    LIKELY,
    VERDICTS,
    connect,
    impact,
    read_main_database,
    screen,
    verdicts,
)
from onestop.people.models import BenefitAward, Household, Person, Property, ServiceReceived

pytestmark = pytest.mark.django_db
LGSLS = (4, 58, 69, 279, 474, 530)
SHIPPED = [RuleDefinition.from_json(d) for d in json.loads(SHIPPED_RULES.read_text())]
_uprns = itertools.count(300_000_000_001)

# ------------------------------------------------------------------ populations

dates_of_birth = st.one_of(st.none(), st.dates(dt.date(1925, 1, 1), dt.date(2026, 11, 30)))
members = st.fixed_dictionaries({
    "born": dates_of_birth, "disabled": st.booleans(),
    "benefits": st.sets(st.sampled_from(sorted(BENEFITS)), max_size=3),
    "services": st.sets(st.sampled_from(LGSLS), max_size=2),
    "died": st.sampled_from([False] * 9 + [True]),
})


@st.composite
def homes(draw):
    if draw(st.integers(0, 5)) == 0:
        return None  # residents with no known household: each is a household of one
    kind = draw(st.sampled_from(Property.Type.values))
    floor = draw(st.integers(0, 4)) if kind in Property.FLAT_TYPES and draw(st.booleans()) \
        else None
    return {"type": kind, "floor": floor,
            "tenure": draw(st.sampled_from(["", *Property.Tenure.values])),
            "band": draw(st.sampled_from(["", *Property.Band.values]))}


households = st.lists(st.tuples(homes(), st.lists(members, min_size=1, max_size=5)),
                      min_size=1, max_size=4)
# Around the 31 August boundary of the school year, and a leap day.
todays = st.sampled_from([dt.date(2026, 8, 31), dt.date(2026, 9, 1), dt.date(2024, 2, 29),
                          dt.date(2026, 12, 1), dt.date(2027, 3, 1)])


def save_population(generated) -> list[Person]:
    """The generated households straight into the tables the evaluators read (bulk, not
    through the actions, to keep hundreds of examples fast)."""
    services = Service.objects.in_bulk(LGSLS, field_name="lgsl")
    people, awards, received = [], [], []
    for home, residents in generated:
        household = None
        if home is not None:
            prop = Property.objects.create(
                uprn=next(_uprns), address_line_1="1 Test Row", town="Eye",
                postcode="IP23 7AA", property_type=home["type"], floor=home["floor"],
                tenure=home["tenure"], council_tax_band=home["band"])
            household = Household.objects.create(property=prop)
        for resident in residents:
            person = Person.objects.create(given_name="Test", family_name="Resident",
                                           date_of_birth=resident["born"],
                                           has_disability=resident["disabled"],
                                           household=household,
                                           date_of_death=dt.date(2026, 1, 1)
                                           if resident["died"] else None)
            people.append(person)
            awards += [BenefitAward(person=person, benefit=b) for b in resident["benefits"]]
            received += [ServiceReceived(person=person, service=services[lgsl], source="test")
                         for lgsl in resident["services"]]
    BenefitAward.objects.bulk_create(awards)
    ServiceReceived.objects.bulk_create(received)
    return people


def assert_agree(definitions: list[RuleDefinition], today: dt.date) -> None:
    db = connect(read_main_database(), today)
    in_sql = verdicts(db, definitions)
    people = list(Person.objects.filter(date_of_death__isnull=True))
    died = set(Person.objects.filter(date_of_death__isnull=False).values_list("pk", flat=True))
    assert not died & {person for person, _ in in_sql}  # the dead are not screened
    expected_offers = set()
    for person in people:
        facts = facts_for(person, today)
        for definition in definitions:
            outcome = definition.judge(facts)
            key = (person.pk, definition.lgsl)
            assert in_sql[key] == (outcome.applies, outcome.likely_eligible,
                                   outcome.receiving), (key, facts, definition)
            if outcome.to_offer:
                expected_offers.add(key)
    assert set(screen(db, definitions)) == expected_offers
    assert len(in_sql) == len(people) * len(definitions)
    assert_previews_agree(db, definitions, people, today)


def assert_previews_agree(db, definitions, people, today) -> None:
    """The rule editor's preview (counts by verdict, and the change against the rule in
    use) says what the per-person evaluator would say to each resident. Each rule is
    previewed against the one before it in the list, as if replacing it."""
    judged = [[d.judge(facts_for(person, today)).verdict for d in definitions]
              for person in people]
    for i, definition in enumerate(definitions):
        in_use = definitions[i - 1] if i else None
        seen = impact(db, definition, in_use)
        assert seen.counts == {v: sum(row[i] == v for row in judged) for v in VERDICTS}
        if in_use is None:
            assert (seen.in_use, seen.newly_offered, seen.no_longer_offered) == (None, 0, 0)
            continue
        assert seen.in_use == {v: sum(row[i - 1] == v for row in judged) for v in VERDICTS}
        assert seen.newly_offered == sum(row[i] == LIKELY != row[i - 1] for row in judged)
        assert seen.no_longer_offered == sum(row[i - 1] == LIKELY != row[i] for row in judged)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=households, today=todays)
def test_the_shipped_rules_give_the_same_verdicts_in_python_and_in_duckdb(generated, today):
    with transaction.atomic():
        save_population(generated)
        assert_agree(SHIPPED, today)
        transaction.set_rollback(True)


# ------------------------------------------------------------------ rules

def _text(value) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


@st.composite
def leaves(draw) -> str:
    spec = draw(st.sampled_from(sorted(FACTS.values(), key=lambda s: s.name)))
    name = spec.name
    if spec.argument == "benefit":
        name += f'("{draw(st.sampled_from(sorted(BENEFITS)))}")'
    elif spec.argument == "lgsl":
        name += f"({draw(st.sampled_from(LGSLS))})"
    if spec.type == "yes/no":
        if draw(st.booleans()):
            return name
        return f"{name} == {draw(st.sampled_from(['true', 'false']))}"
    if spec.type == "number":
        op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
        return f"{name} {op} {draw(st.integers(0, 70))}"
    values = draw(st.lists(st.sampled_from(spec.values), min_size=1, max_size=3))
    if len(values) == 1:
        return f'{name} {draw(st.sampled_from(["==", "!="]))} {_text(values[0])}'
    return f"{name} in ({', '.join(_text(v) for v in values)})"


conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.builds(lambda c: f"not ({c})", inner),
        st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) == ({b})", inner, inner)),
    max_leaves=8)


@st.composite
def rule_definitions(draw) -> list[RuleDefinition]:
    chosen = draw(st.lists(st.sampled_from(LGSLS), min_size=1, max_size=3, unique=True))
    return [RuleDefinition.from_json({
        "lgsl": lgsl, "scope": draw(st.sampled_from(["person", "household"])),
        "applies": draw(conditions), "likely_eligible": draw(conditions),
        "not_applicable_reason": "n/a", "eligible_reason": "yes",
        "not_eligible_reason": "no"}) for lgsl in chosen]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=households, definitions=rule_definitions(), today=todays)
def test_generated_rules_give_the_same_verdicts_in_python_and_in_duckdb(generated, definitions,
                                                                        today):
    with transaction.atomic():
        save_population(generated)
        assert_agree(definitions, today)
        transaction.set_rollback(True)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=households, definitions=rule_definitions(), today=todays,
       districts=st.lists(st.sampled_from(["mid-suffolk", "babergh"]), min_size=4,
                          max_size=4))
def test_the_preview_of_one_councils_residents_counts_exactly_those_residents(
        generated, definitions, today, districts):
    """The rule preview reads only the residents whose home lies in the author's councils:
    its unrounded counts are the per-person evaluator's over exactly those residents (a
    household is wholly in or out, so its household facts do not change)."""
    with transaction.atomic():
        people = save_population(generated)
        authorities = {a.slug: a for a in Authority.objects.filter(
            slug__in=["mid-suffolk", "babergh"])}
        homes = sorted({p.household.property_id for p in people if p.household_id})
        for home, district in zip(homes, itertools.cycle(districts)):
            Property.objects.get(pk=home).authorities.set([authorities[district]])
        babergh = authorities["babergh"]
        db = connect(read_main_database({babergh.pk}), today)
        in_babergh = [p for p in people if p.date_of_death is None and p.household_id
                      and p.household.property.authorities.filter(pk=babergh.pk).exists()]
        in_use = definitions[-1] if len(definitions) > 1 else None
        seen = impact(db, definitions[0], in_use)
        judged = [(definitions[0].judge(facts_for(p, today)).verdict,
                   in_use.judge(facts_for(p, today)).verdict if in_use else None)
                  for p in in_babergh]
        assert seen.counts == {v: sum(now == v for now, _ in judged) for v in VERDICTS}
        newly = sum(now == LIKELY != was for now, was in judged) if in_use else 0
        assert seen.newly_offered == newly
        db.close()
        nobody = connect(read_main_database(set()), today)  # an author of no council
        assert nobody.execute("SELECT count(*) FROM facts").fetchone() == (0,)
        nobody.close()
        transaction.set_rollback(True)


@given(conditions)
def test_every_generated_condition_parses(source):
    parse(source)
