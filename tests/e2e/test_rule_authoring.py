"""In a real browser, on the demo: the service owner opens an eligibility rule, saves a
draft with a mistake and sees it named on its field, corrects it, previews roughly how
many residents it offers the service to (rounded, small counts hidden), and publishes
it. Every page passes axe-core.

The version published has the same conditions as the one it replaces (only the change
note differs), so the demo's recommendations, which other browser tests read, stay as
they were."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serious_accessibility_violations
from tests.e2e.test_new_pages import error_summary, sign_in

pytestmark = pytest.mark.browser

HOUSING_REPAIRS_RULE = 69  # applies to adults renting a known home


def checked(page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


def test_a_service_owner_corrects_previews_and_publishes_a_rule(demo_server, page):
    url = demo_server.url
    sign_in(page, url, "service-owner")
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Eligibility rules").click()
    expect(page.get_by_role("heading", name="Eligibility rules")).to_be_visible()
    checked(page)
    page.locator(f'a[href="/eligibility/rules/{HOUSING_REPAIRS_RULE}/"]').click()
    expect(page.get_by_role("heading", name=re.compile("The rule in use"))).to_be_visible()
    checked(page)
    published = int(page.locator(".govuk-summary-list__row", has_text="Published version")
                    .locator("dd").inner_text().removeprefix("Version "))

    page.get_by_role("button", name=re.compile("Start a new draft|Edit draft")).click()
    applies = page.get_by_label("The service applies")
    original = applies.input_value()
    assert "property.tenure" in original  # the published rule is where the draft starts
    page.locator("summary", has_text="Facts a rule can use").click()
    expect(page.get_by_role("cell", name="property.floor", exact=True)).to_be_visible()
    checked(page)
    applies.fill(original.replace("property.tenure", "property.tenancy"))
    page.get_by_role("button", name="Save draft").click()
    expect(error_summary(page)).to_contain_text(
        "The service applies: unknown fact 'property.tenancy'")
    expect(page.locator("#id_applies-error")).to_be_visible()
    checked(page)

    page.get_by_label("The service applies").fill(original)
    page.get_by_label("What changed").fill("Checked in the browser")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Draft version")
    impact = page.locator("#impact")
    expect(impact).to_be_visible()
    # The same conditions as the rule in use: nobody starts or stops being offered it, and
    # under disclosure control nobody reads as "fewer than 10".
    expect(page.locator("#change")).to_contain_text(
        "fewer than 10 would start being offered")
    expect(page.locator("#change")).to_contain_text("fewer than 10 would no longer be offered it")
    expect(page.locator("#method")).to_contain_text(
        "counts are rounded to the nearest 5; counts below 10 are not shown")
    residents = int(re.search(r": ([\d,]+) in all", page.locator("#residents").inner_text())
                    .group(1).replace(",", ""))
    cells = impact.locator("tbody tr td:nth-child(3)").all_inner_texts()
    # Each count is a multiple of 5 from 10, or "fewer than 10", rounded from its own
    # exact number: the rows add up to the total give or take 2 each, 9 for one suppressed.
    counts = [int(cell.replace(",", "")) for cell in cells if cell != "fewer than 10"]
    assert len(cells) == 4 and all(c == "fewer than 10" or c.replace(",", "").isdigit()
                                   for c in cells)
    assert residents % 5 == 0 and all(c % 5 == 0 and c >= 10 for c in counts)
    assert abs(sum(counts) - residents) <= 2 + 2 * len(counts) + 9 * (len(cells) - len(counts))
    checked(page)

    draft = published + 1
    page.get_by_role("button", name=f"Publish version {draft}").click()
    expect(page.get_by_label("Year")).to_have_value(re.compile(r"^\d{4}$"))  # a year ahead
    checked(page)
    page.get_by_role("button", name=f"Publish version {draft}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Version {draft} of the")
    expect(page.locator(".govuk-summary-list__row", has_text="Published version")).to_contain_text(
        f"Version {draft}")
    checked(page)
