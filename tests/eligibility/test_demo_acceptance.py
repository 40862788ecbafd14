"""Issue 5's acceptance in the demo `make demo` builds (20,000 residents, seed 2026): a
resident on Housing Benefit with a school-age child and no free school meals is offered
free school meals with its reason, from Suffolk County Council; a resident of a
second-floor flat is not offered garden waste, and the page says why.

The residents are found in the demo's data by the set-based evaluator and by plain
queries, never by id, and then checked on the person page over HTTP."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from onestop.demo.actions import do_build_demo_area
from onestop.eligibility.facts import is_school_age
from onestop.eligibility.queries import published_rules
from onestop.eligibility.screening import connect, read_main_database, screen
from onestop.people.models import Person

pytestmark = pytest.mark.django_db
MAKE_DEMO_PEOPLE, MAKE_DEMO_SEED = 20_000, 2026


@pytest.fixture
def demo(tmp_path):
    call_command("load_rules")
    do_build_demo_area(people=MAKE_DEMO_PEOPLE, seed=MAKE_DEMO_SEED,
                       extracts_dir=tmp_path / "extracts")


def demo_adviser() -> Client:
    client = Client()
    client.cookies["onestop_terminal"] = "e" * 32
    response = client.post("/sign-in/", {"card_number": "100001", "pin": "1234"})
    assert response.status_code == 302
    return client


def test_the_demo_offers_free_school_meals_and_hides_garden_waste_from_an_upstairs_flat(demo):
    today = timezone.localdate()
    db = connect(read_main_database(), today)
    offered_meals = {person for person, lgsl in
                     screen(db, [d for _, _, d in published_rules()]) if lgsl == 4}
    on_housing_benefit = (Person.objects.filter(benefits__benefit="housing_benefit",
                                                pk__in=offered_meals)
                          .exclude(services_received__service__lgsl=4)
                          .select_related("household").order_by("pk"))
    family = next(p for p in on_housing_benefit
                  if any(is_school_age(m.date_of_birth, today)
                         for m in p.household.members.all()))
    client = demo_adviser()
    page = client.get(f"/people/{family.pk}/").content.decode()
    offers = page[page.index('id="recommendations"'):page.index('id="not-applicable"')]
    card = offers[offers.index('data-lgsl="4"'):]
    card = card[:card.index("</form>")]
    assert "Free school meals" in card
    assert "A child of school age lives here" in card and "receives Housing Benefit" in card
    assert "Suffolk County Council" in card

    upstairs = (Person.objects.filter(household__property__property_type="flat",
                                      household__property__floor=2,
                                      date_of_birth__year__lte=today.year - 18)
                .order_by("pk").first())
    page = client.get(f"/people/{upstairs.pk}/").content.decode()
    offers = page[page.index('id="recommendations"'):page.index('id="not-applicable"')]
    assert 'data-lgsl="530"' not in offers
    hidden = page[page.index('id="not-applicable"'):]
    line = hidden[hidden.index('data-lgsl="530"'):]
    line = line[:line.index("</li>")]
    assert "a flat above the ground floor has none" in line
    assert "floor of the flat (0 is the ground floor): 2" in line
