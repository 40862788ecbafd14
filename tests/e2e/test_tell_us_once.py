"""In a real browser, on the demo: in a phone contact the adviser adds the Tell us once
script, takes a resident's news that they have become a carer, and the contact's basket
links to what was done: every service it affects told, with how. Every page passes
axe-core with no serious or critical violation."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serious_accessibility_violations
from tests.e2e.test_contact_journey import (
    ADVISER_CARD,
    ADVISER_PIN,
    END_OPEN_CONTACT,
    on_page,
)

pytestmark = pytest.mark.browser

# The newest adult living with someone and not yet in a contact: the other browser tests
# pick the oldest residents, so this one's news changes nothing they read.
RESIDENT = """
import datetime as dt, json
from django.db.models import Count
from django.utils import timezone
from onestop.people.models import Person
today = timezone.localdate()
person = (Person.objects.filter(household__isnull=False, contacts__isnull=True,
                                date_of_death__isnull=True,
                                date_of_birth__lte=today.replace(year=today.year - 30))
          .annotate(members=Count("household__members")).filter(members__gte=2)
          .order_by("-pk").first())
print(json.dumps({"id": person.pk, "name": person.full_name, "today": today.isoformat()}))
"""
EVENTS = """
import json
from onestop.lifeevents.models import LifeEvent
print(json.dumps([[e.kind, e.person_id, e.notices.count()] for e in
                  LifeEvent.objects.filter(person_id={person_id})]))
"""


def checked(page) -> None:
    page.wait_for_load_state()
    assert serious_accessibility_violations(page) == [], page.url


def test_an_adviser_takes_a_life_event_in_a_contact_and_every_service_is_told(
        demo_server, page):
    url = demo_server.url
    resident = json.loads(demo_server.shell(RESIDENT).strip().splitlines()[-1])
    yesterday = dt.date.fromisoformat(resident["today"]) - dt.timedelta(days=1)
    # Signing in claims the adviser's open contact: end any an earlier test left open.
    demo_server.shell(END_OPEN_CONTACT)
    try:
        page.goto(url + "/sign-in/")
        page.get_by_label("ID card number").fill(ADVISER_CARD)
        page.get_by_label("PIN").fill(ADVISER_PIN)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{url}/people/{resident['id']}/")
        page.get_by_label("Phone", exact=True).check()
        page.get_by_role("button", name="Start a contact").click()
        expect(page.get_by_role("heading", name="Services in this contact")).to_be_visible()

        page.get_by_label("Find a service with a script").fill("Tell us once")
        page.get_by_role("button", name="Find").click()
        page.get_by_role("button", name=re.compile(r"^Add Tell us once")).click()
        on_page(page, "what_happened")
        checked(page)
        page.get_by_label("Has become a carer").check()
        page.get_by_label(f"{resident['name']} (the resident)").check()
        page.get_by_role("button", name="Continue", exact=True).click()
        on_page(page, "caring")
        checked(page)
        page.get_by_label("Name of the person they care for").fill("Their mother")
        page.get_by_role("button", name="Continue", exact=True).click()
        on_page(page, "when")
        checked(page)
        page.get_by_label("Day").fill(str(yesterday.day))
        page.get_by_label("Month").fill(str(yesterday.month))
        page.get_by_label("Year").fill(str(yesterday.year))
        page.get_by_role("button", name="Continue", exact=True).click()
        expect(page.locator("#main-content")).to_contain_text(
            "Every service it affects has been told")
        checked(page)

        page.get_by_role("link", name="Back to the services in this contact").click()
        row = page.get_by_role("row", name=re.compile("Change of circumstances"))
        expect(row).to_contain_text("Done")
        checked(page)
        row.get_by_role("link", name="what was done").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(resident["name"])
        checked(page)
        events = json.loads(demo_server.shell(
            EVENTS.format(person_id=resident["id"])).strip().splitlines()[-1])
        assert [kind for kind, _, _ in events] == ["becoming_carer"]
        told = events[0][2]
        assert told >= 1
        expect(page.locator("tbody tr")).to_have_count(told)
    finally:
        demo_server.shell(END_OPEN_CONTACT)
