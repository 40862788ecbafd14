"""The generator alone: a pure, seeded function with believable households."""

from __future__ import annotations

import datetime as dt
import random

from onestop.demo.addresses import POSTCODES_PER_OUTWARD_CODE, AddressBook
from onestop.demo.places import UPRN_BASE, UPRN_BLOCK
from onestop.demo.population import generate_population
from onestop.people.models import STATE_PENSION_AGE
from onestop.people.postcodes import normalise_postcode

TODAY = dt.date(2026, 11, 22)


def _fingerprint(population):
    return [(p.given_name, p.middle_names, p.family_name, p.date_of_birth, p.ni_number,
             tuple(x.e164 for x in p.phones), tuple(sorted(p.benefits)))
            for p in population.people]


def test_the_same_seed_and_day_generate_the_same_population():
    first = generate_population(400, 5, TODAY)
    again = generate_population(400, 5, TODAY)
    assert _fingerprint(first) == _fingerprint(again)
    assert [p.uprn for p in first.properties] == [p.uprn for p in again.properties]
    assert _fingerprint(generate_population(400, 6, TODAY)) != _fingerprint(first)


def test_uprns_are_unique_twelve_digits_in_their_districts_block():
    population = generate_population(1000, 1, TODAY)
    uprns = [p.uprn for p in population.properties]
    assert len(uprns) == len(set(uprns))
    for prop in population.properties:
        base = UPRN_BASE[prop.district]
        assert base < prop.uprn < base + UPRN_BLOCK
        assert len(str(prop.uprn)) == 12


def test_postcodes_are_valid_and_addresses_unique():
    population = generate_population(1000, 2, TODAY)
    addresses = [(p.address.line_1, p.address.line_2, p.address.postcode)
                 for p in population.properties]
    assert len(addresses) == len(set(addresses))
    for prop in population.properties:
        assert normalise_postcode(prop.address.postcode) == prop.address.postcode


def test_households_have_realistic_sizes_and_mostly_shared_family_names():
    population = generate_population(3000, 3, TODAY)
    sizes = [len(h.members) for h in population.households]
    assert 2.0 <= sum(sizes) / len(sizes) <= 2.7
    assert max(sizes) <= 8 and sizes.count(1) > len(sizes) * 0.2
    families = [h for h in population.households if h.kind == "family"]
    shared = [h for h in families if len({p.family_name for p in h.members}) == 1]
    assert len(shared) > 0.6 * len(families)


def test_children_live_with_an_adult_and_pensioners_are_of_pension_age():
    population = generate_population(2000, 4, TODAY)
    for household in population.households:
        assert household.head.age_on(TODAY) >= 18
    for person in population.people:
        if "pension_credit" in person.benefits:
            assert person.age_on(TODAY) >= STATE_PENSION_AGE


def test_only_flats_and_maisonettes_have_floors_and_upper_flats_no_garden():
    population = generate_population(2000, 8, TODAY)
    for prop in population.properties:
        is_flat = prop.property_type in ("flat", "maisonette")
        assert (prop.floor is not None) == is_flat
        if is_flat and prop.floor > 0:
            assert not prop.has_garden


def test_a_few_percent_have_needs_and_interpreters_name_a_language():
    population = generate_population(3000, 9, TODAY)
    with_needs = [p for p in population.people if p.needs]
    assert 0.005 * 3000 < len(with_needs) < 0.1 * 3000
    for person in with_needs:
        for kind, language in person.needs:
            assert bool(language) == (kind == "interpreter")


def test_an_outward_code_whose_postcodes_are_all_given_out_shares_them_instead_of_hanging():
    book = AddressBook(random.Random(1))
    given = {book.postcode("CO10") for _ in range(POSTCODES_PER_OUTWARD_CODE)}
    assert len(given) == POSTCODES_PER_OUTWARD_CODE == 3600
    more = {book.postcode("CO10") for _ in range(500)}
    assert more <= given  # a county-sized demo puts more addresses in each postcode
    assert book.postcode("IP14") not in given
