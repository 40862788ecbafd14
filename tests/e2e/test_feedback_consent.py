"""In a real browser, on the demo: a waste officer sends feedback on a case for a resident
who said no to email; the page says it goes by text message instead, and why, in the
message, beside the feedback and in the case's history. Every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serious_accessibility_violations
from tests.e2e.test_new_pages import sign_in

pytestmark = pytest.mark.browser

WHY = "the resident asked not to be contacted by email; sent by text message instead"


def checked(page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


def test_feedback_to_a_resident_who_said_no_to_email_goes_by_text_and_says_why(demo_server,
                                                                                page):
    # A Mid Suffolk resident who prefers email, has a mobile too, and now says no to email;
    # a missed-bin request for them lands with Mid Suffolk waste services.
    found = demo_server.shell(
        "from onestop.cases.actions import do_raise_case\n"
        "from onestop.catalogue.models import Service\n"
        "from onestop.people.actions import do_add_email, do_add_phone, do_record_consent\n"
        "from onestop.people.models import Person\n"
        "p = (Person.objects.filter(household__property__authorities__slug='mid-suffolk',\n"
        "     date_of_death__isnull=True).order_by('pk')[7])\n"
        "Person.objects.filter(pk=p.pk).update(preferred_channel='email')\n"
        "p.refresh_from_db()\n"
        "do_add_email(p, 'browser.consent@example.org', preferred=True)\n"
        "do_add_phone(p, '07712 345679', preferred=True)\n"
        "do_record_consent(p, 'contact_by_email', given=False)\n"
        "case = do_raise_case(kind='service_request', service=Service.objects.get(lgsl=524),\n"
        "                     person=p, title='Missed bin (browser test)', sla_working_days=2)\n"
        "print(f'CASE={case.reference}')\n")
    reference = re.search(r"CASE=(\S+)", found).group(1)
    sign_in(page, demo_server.url, "waste-officer")
    page.goto(f"{demo_server.url}/cases/{reference}/")
    expect(page.get_by_role("heading", name="Missed bin (browser test)")).to_be_visible()
    checked(page)
    page.get_by_label("Feedback to the requester").fill(
        "The crew will come back on Thursday.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Feedback saved to send by text message: {WHY}")
    sent = page.locator("li", has_text="The crew will come back on Thursday.")
    expect(sent).to_contain_text("by text message to 07712 345679")
    expect(sent).to_contain_text(WHY[0].upper() + WHY[1:] + ".")
    expect(page.locator("table.govuk-table")).to_contain_text(f"({WHY})")
    checked(page)
