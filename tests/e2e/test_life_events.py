"""The issue's acceptance in the demo, in a real browser with a real worker process: a death
reported once updates the household and produces exactly one delivery per affected service,
visible with its attempts; a repeat report produces none. Every page passes axe-core."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ONESTOP, serious_accessibility_violations
from tests.integrations.receiver import Receiver

pytestmark = pytest.mark.browser
SECRET = "demo-back-office-secret-0001"
PARTNER_TOKEN = "demo-partner-token-000000000000000000000"

# Every demo team's back-office system (the demo back office, which the test does not run)
# is pointed at the test's receiver; then a Mid Suffolk resident who shares a home is chosen.
SET_UP = """
import json
from onestop.integrations.endpoints import do_save_endpoint
from onestop.people.models import Person
from onestop.staff.models import Team
for team in Team.objects.all():
    do_save_endpoint(slug=team.slug, name=f"{team.name} system", url=URL, secret=SECRET,
                     team=team)
person = next(p for p in Person.objects.filter(
    date_of_death__isnull=True, household__property__authorities__slug="mid-suffolk")
    .select_related("household").order_by("id") if p.household.members.count() >= 2)
print(json.dumps({"id": person.pk, "name": person.full_name,
                  "household": person.household_id}))
"""
AFTER = """
import json
from onestop.integrations.models import OutboxMessage
from onestop.lifeevents.models import LifeEvent
from onestop.people.models import Person
event = LifeEvent.objects.get(person_id=PERSON)
person = Person.objects.get(pk=PERSON)
print(json.dumps({"event": event.pk, "household": person.household_id,
                  "died": str(person.date_of_death),
                  "webhooks": sorted(m.key for m in OutboxMessage.objects.filter(
                      kind="webhook", key__startswith=f"life-event:{event.pk}:")),
                  "notices": event.notices.count()}))
"""


def last_json(output: str):
    return json.loads(output.strip().splitlines()[-1])


def run_worker(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "ONESTOP_ENV": "demo"}
    done = subprocess.run([str(ONESTOP), "worker", "--once", "--max-attempts", "3"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def checked(page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


def test_a_death_reported_once_is_delivered_once_to_each_service_in_the_demo(demo_server,
                                                                             page):
    receiver = Receiver(SECRET).start()
    try:
        resident = last_json(demo_server.shell(
            SET_UP.replace("URL", repr(receiver.url)).replace("SECRET", repr(SECRET))))
        page.goto(demo_server.url + "/sign-in/")
        page.get_by_label("ID card number").fill("100001")
        page.get_by_label("PIN").fill("1234")
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{demo_server.url}/people/{resident['id']}/")
        page.get_by_role("link", name=re.compile("Report a life event")).click()
        expect(page.get_by_role("heading", name="Report a life event")).to_be_visible()
        checked(page)

        page.get_by_role("button", name="Report and tell the services").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Select what happened")
        checked(page)

        page.get_by_label("A death").check()
        page.get_by_label("Day", exact=True).first.fill("20")
        page.get_by_label("Month", exact=True).first.fill("11")
        page.get_by_label("Year", exact=True).first.fill("2026")
        page.get_by_label("Name of the person telling us").fill("Grace Okafor")
        page.get_by_label("Their email address").fill("grace@example.org")
        page.get_by_role("button", name="Report and tell the services").click()
        expect(page.get_by_role("heading", name=re.compile("A death:"))).to_be_visible()
        expect(page.get_by_text("removed from the household")).to_be_visible()
        checked(page)

        after = last_json(demo_server.shell(AFTER.replace("PERSON", str(resident["id"]))))
        assert after["died"] == "2026-11-20" and after["household"] is None
        assert after["webhooks"] and len(after["webhooks"]) <= after["notices"]

        run_worker(demo_server.database_url)
        assert sorted(receiver.applied) == after["webhooks"]
        assert set(receiver.applied.values()) == {1}
        page.reload()
        delivered = page.get_by_text("Sent to the team's system: delivered, 1 attempt")
        expect(delivered.first).to_be_visible()
        assert delivered.count() == len(after["webhooks"])

        # The registrar's system reports the same death: the same event, nothing new.
        repeat = page.request.post(f"{demo_server.url}/api/v1/life-events", data={
            "kind": "death", "person": resident["id"], "occurred_on": "2026-11-20",
            "informant": {"name": "Registrar", "email": "registrar@example.org"}}, headers={
            "Authorization": f"Token {PARTNER_TOKEN}"})
        assert repeat.status == 200 and repeat.json()["id"] == after["event"]
        run_worker(demo_server.database_url)
        assert len(receiver.deliveries) == len(after["webhooks"])
    finally:
        receiver.stop()


def test_the_residents_page_passes_axe_as_it_is_and_with_its_errors(demo_server, page):
    page.goto(demo_server.url + "/services/life-events/")
    expect(page.get_by_role("heading", name="Tell us once about a life event")).to_be_visible()
    checked(page)
    page.get_by_role("button", name="Tell us").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the first name")
    checked(page)


RESIDENT = """
import json
from onestop.people.models import Person
person = (Person.objects.filter(date_of_death__isnull=True, has_disability=False,
                                date_of_birth__isnull=False,
                                household__property__authorities__slug="mid-suffolk")
          .select_related("household__property").order_by("-id").first())
print(json.dumps({"id": person.pk, "given": person.given_name, "family": person.family_name,
                  "born": person.date_of_birth.isoformat(),
                  "postcode": person.household.property.postcode}))
"""


def test_a_self_service_report_waits_for_an_adviser_who_confirms_it(demo_server, page):
    resident = last_json(demo_server.shell(RESIDENT))
    year, month, day = resident["born"].split("-")
    page.goto(demo_server.url + "/services/life-events/")
    page.locator("#id_given_name").fill(resident["given"])
    page.locator("#id_family_name").fill(resident["family"])
    page.locator("#id_born_day").fill(day)
    page.locator("#id_born_month").fill(month)
    page.locator("#id_born_year").fill(year)
    page.locator("#id_postcode").fill(resident["postcode"])
    page.get_by_label("A sudden disability").check()
    page.locator("#id_on_day").fill("2")
    page.locator("#id_on_month").fill("11")
    page.locator("#id_on_year").fill("2026")
    page.get_by_role("button", name="Tell us").click()
    expect(page.get_by_text("If the details match our records we will contact you")
           ).to_be_visible()
    checked(page)

    page.goto(demo_server.url + "/sign-in/")
    page.get_by_label("ID card number").fill("100001")
    page.get_by_label("PIN").fill("1234")
    page.get_by_role("button", name="Sign in").click()
    page.goto(demo_server.url + "/life-events/self-service/")
    name = f"{resident['given']} {resident['family']}"
    expect(page.get_by_role("link", name=name)).to_be_visible()
    checked(page)
    page.get_by_role("button", name=f"Confirm a sudden disability for {name}").click()
    expect(page.get_by_role("heading", name=f"A sudden disability: {name}")).to_be_visible()
    checked(page)
