"""In a real browser, on the demo: an adviser opens a resident's page, sees the services to
offer and, folded away, those not applicable with why; starts a contact, and an accepted
offer lands in it. Every page passes axe-core with no serious or critical violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serious_accessibility_violations

pytestmark = pytest.mark.browser


def checked(page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


def open_as_adviser(page, url: str, person_id: int) -> None:
    """Sign in with the demo adviser's card and open the resident's page."""
    page.goto(url + "/sign-in/")
    page.get_by_label("ID card number").fill("100001")
    page.get_by_label("PIN").fill("1234")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{url}/people/{person_id}/")


def test_an_adviser_offers_a_service_from_the_person_page_and_it_joins_the_contact(
        demo_server, page):
    # A resident offered something with a script, found in the demo's data, not by id.
    found = demo_server.shell(
        "from onestop.eligibility.queries import recommendations_for\n"
        "from onestop.people.models import Person\n"
        "for p in Person.objects.filter(household__isnull=False).order_by('pk')[:300]:\n"
        "    if any(r.service.lgsl in (530, 58, 4) for r in recommendations_for(p).to_offer):\n"
        "        print(f'PERSON={p.pk}')\n        break\n")
    person_id = int(re.search(r"PERSON=(\d+)", found).group(1))
    open_as_adviser(page, demo_server.url, person_id)
    expect(page.get_by_role("heading", name="Services to offer")).to_be_visible()
    card = page.locator(".govuk-summary-card[data-lgsl]").first
    service = card.locator("h3").inner_text()
    expect(card).to_contain_text("Why")
    expect(card).to_contain_text(re.compile("District Council|County Council"))
    checked(page)
    details = page.locator("#not-applicable")
    if details.count():
        details.locator("summary").click()
        expect(details.locator("li").first).to_be_visible()
        checked(page)

    card.get_by_role("button", name=re.compile("^Offered")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{service}: offered")
    checked(page)

    page.get_by_role("button", name="Start a contact").click()
    page.goto(f"{demo_server.url}/people/{person_id}/")
    card = page.locator(".govuk-summary-card[data-lgsl]").filter(has_text=service)
    card.get_by_role("button", name=re.compile("^Accepted")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{service}: accepted and added to the contact")
    expect(card.locator(".govuk-tag")).to_have_text("Accepted")
    checked(page)
    # Back to the contact: it opens on the accepted service's script, first page.
    page.get_by_role("link", name="Go back to it").click()
    expect(page).to_have_url(re.compile(r"/contacts/\d+/services/\d+/$"))
    checked(page)


def test_a_resident_who_said_no_to_offers_is_not_offered_anything_but_can_ask(demo_server,
                                                                               page):
    # Another resident with something to offer (from the other end of the demo's data),
    # who now says no to being told about services.
    found = demo_server.shell(
        "from onestop.eligibility.queries import recommendations_for\n"
        "from onestop.people.actions import do_record_consent\n"
        "from onestop.people.models import Person\n"
        "for p in Person.objects.filter(household__isnull=False).order_by('-pk')[:300]:\n"
        "    if recommendations_for(p).to_offer:\n"
        "        do_record_consent(p, 'proactive_offers', given=False)\n"
        "        print(f'PERSON={p.pk}')\n        break\n")
    person_id = int(re.search(r"PERSON=(\d+)", found).group(1))
    open_as_adviser(page, demo_server.url, person_id)
    expect(page.get_by_role("heading", name="Services to offer")).to_be_visible()
    expect(page.locator("#offers-refused")).to_have_text(
        "Not offered: the resident asked not to be told about services.")
    expect(page.locator(".govuk-summary-card[data-lgsl]")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Offered"))).to_have_count(0)
    checked(page)
    asked = page.locator("#on-request")
    asked.locator("summary").click()
    expect(asked).to_contain_text("Do not bring these up")
    expect(asked.locator("li[data-lgsl]").first).to_be_visible()
    checked(page)
