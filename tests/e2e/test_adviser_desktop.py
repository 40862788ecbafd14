"""An adviser signs in by card and PIN, finds a resident, and logs a contact, in a real
browser; every page they see passes axe-core with no serious or critical violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serious_accessibility_violations

pytestmark = pytest.mark.browser

ADVISER_CARD, ADVISER_PIN = "100001", "1234"


class Visit:
    """Checks each page the adviser lands on, so none is left out."""

    def __init__(self, page) -> None:
        self.page = page
        self.checked: list[str] = []

    def check(self) -> None:
        assert serious_accessibility_violations(self.page) == [], self.page.url
        self.checked.append(self.page.url)


def sign_in(page, visit: Visit, card: str, pin: str) -> None:
    visit.check()
    page.get_by_label("ID card number").fill(card)
    page.get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Sign in").click()


def test_adviser_signs_in_finds_a_resident_and_logs_a_contact(demo_server, page):
    visit = Visit(page)
    page.goto(demo_server.url + "/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))

    sign_in(page, visit, ADVISER_CARD, "0000")  # a wrong PIN first
    expect(page.locator(".govuk-error-summary")).to_contain_text("not right")
    visit.check()
    page.get_by_label("ID card number").fill(ADVISER_CARD)
    page.get_by_label("PIN").fill(ADVISER_PIN)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Find a resident")).to_be_visible()
    visit.check()
    page.get_by_label("Phone number").fill("12")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("not a valid phone number")
    visit.check()

    # Find the residents of the Mid Suffolk sample property by its postcode, typed sloppily.
    postcode = demo_server.sample_postcodes["mid-suffolk"]
    page.get_by_label("Phone number").fill("")
    page.get_by_label("Postcode").fill(postcode.lower().replace(" ", ""))
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile(r"\d+ residents? found"))).to_be_visible()
    visit.check()
    first = page.locator("table.govuk-table tbody a").first
    name = first.inner_text()
    first.click()

    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    garden_row = page.get_by_role("row", name=re.compile("Household garden waste"))
    expect(garden_row).to_contain_text("Mid Suffolk District Council")
    expect(page.get_by_role("row", name=re.compile("Free school meals"))).to_contain_text(
        "Suffolk County Council")
    visit.check()

    page.get_by_role("link", name="Log a finished contact").click()
    visit.check()
    page.get_by_role("button", name="Save contact").click()  # nothing chosen yet
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose at least one service discussed")
    visit.check()
    page.get_by_label("Find a service by name or LGSL number").fill("garden waste")
    page.get_by_role("button", name="Find services").click()
    page.get_by_label("Household garden waste (LGSL 530)").check()
    page.get_by_label("Find a service by name or LGSL number").fill("council tax account")
    page.get_by_role("button", name="Find services").click()
    expect(page.get_by_label("Household garden waste (LGSL 530)")).to_be_checked()
    page.get_by_label("Council tax account enquiries (LGSL 58)").check()
    visit.check()
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Resolved at first contact").check()
    page.get_by_label("Notes").fill("Wanted garden waste collection and a balance check.")
    page.get_by_role("button", name="Save contact").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("logged")
    recent = page.get_by_role("row", name=re.compile("Household garden waste"))
    expect(recent.last).to_contain_text("Resolved at first contact")
    visit.check()
    assert len(visit.checked) >= 9


def a_mid_suffolk_resident_url(demo_server, browser) -> str:
    """As the adviser for all three councils, find a Mid Suffolk resident's page."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(demo_server.url + "/sign-in/")
    page.get_by_label("ID card number").fill(ADVISER_CARD)
    page.get_by_label("PIN").fill(ADVISER_PIN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Postcode").fill(demo_server.sample_postcodes["mid-suffolk"])
    page.get_by_role("button", name="Search").click()
    url = page.locator("table.govuk-table tbody a").first.get_attribute("href")
    context.close()
    return demo_server.url + url


def test_a_babergh_adviser_is_refused_a_mid_suffolk_record_on_an_accessible_page(
        demo_server, browser, page):
    resident_url = a_mid_suffolk_resident_url(demo_server, browser)
    visit = Visit(page)
    page.goto(demo_server.url + "/sign-in/")
    sign_in(page, visit, "100002", "2345")
    expect(page.get_by_role("heading", name="Find a resident")).to_be_visible()
    response = page.goto(resident_url)
    assert response.status == 403
    expect(page.get_by_role("heading", name="You cannot see this page")).to_be_visible()
    visit.check()
