"""A contact moves terminals with the adviser's card, in a real browser.

Two Playwright browser contexts are two terminals (each keeps its own terminal cookie).
On terminal A the adviser starts a contact with a council tenant in Mid Suffolk, puts
three services in the basket, finishes one and gets part way through another; then they
sign in on terminal B with the same card and PIN, land on the same page with the same
answers so far, finish the contact there, and terminal A can change nothing. Every page
either terminal shows passes axe-core with no serious or critical violation.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serious_accessibility_violations

pytestmark = pytest.mark.browser

ADVISER_CARD, ADVISER_PIN = "100001", "1234"
RUN_URL = re.compile(r"/contacts/(\d+)/services/(\d+)/$")
BASKET_URL = re.compile(r"/contacts/\d+/$")

# Council tenants in houses in Mid Suffolk who have had no contact yet, and the day as the
# server sees it (the missed-bin script refuses collection days in the future).
RESIDENTS = """
import json
from django.utils import timezone
from onestop.people.models import Person
people = (Person.objects.filter(household__property__tenure="council_rented",
                                household__property__property_type="house",
                                household__property__authorities__slug="mid-suffolk",
                                contacts__isnull=True)
          .select_related("household__property").order_by("pk")[:5])
print(json.dumps({"today": timezone.localdate().isoformat(), "residents": [
    {"id": p.pk, "name": p.full_name, "uprn": p.household.property.uprn} for p in people]}))
"""

OUTCOME = """
import json
from onestop.contacts.models import Contact
contact = Contact.objects.get(pk={contact_id})
print(json.dumps({{
    "outcome": contact.outcome, "resolved_at_first_contact": contact.resolved_at_first_contact,
    "notes": contact.notes, "open": contact.is_open,
    "basket": [[i.service.lgsl, i.outcome_type, i.outcome_key] for i in contact.basket.all()],
    "cases": [[c.service.lgsl, c.team.slug, c.authority.slug, c.priority]
              for c in contact.cases.select_related("service", "team", "authority")],
}}))
"""

RUN = """
import json
from onestop.contacts.models import ContactService, WorkSession
item = ContactService.objects.get(pk={item_id})
session = WorkSession.objects.get(contact_id=item.contact_id)
print(json.dumps({{"run": item.run, "terminal": session.terminal, "moves": session.moves,
                  "last_step_at": session.last_step_at.isoformat()}}))
"""

# Ends whatever contact the demo adviser left open, so the next test's sign-in lands on
# Find a resident and not inside this test's contact.
END_OPEN_CONTACT = """
from onestop.contacts.actions import do_abandon_contact
from onestop.contacts.models import WorkSession
for session in WorkSession.objects.filter(owner__username="adviser", closed_at__isnull=True):
    do_abandon_contact(session, by=session.owner, terminal=session.terminal)
"""


class Visit:
    """Checks each page a terminal lands on, so none is left out."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    def check(self, page) -> None:
        page.wait_for_load_state()
        assert serious_accessibility_violations(page) == [], page.url
        self.checked.append(page.url)


def shell_json(demo_server, code: str) -> dict:
    return json.loads(demo_server.shell(code).strip().splitlines()[-1])


@pytest.fixture
def residents(demo_server):
    found = shell_json(demo_server, RESIDENTS)
    assert len(found["residents"]) >= 2, "the demo area has too few council tenants"
    yield found
    demo_server.shell(END_OPEN_CONTACT)


def terminal(browser):
    """A fresh browser profile: its own cookies, so its own terminal key."""
    context = browser.new_context()
    return context, context.new_page()


def sign_in(page, visit: Visit, url: str) -> None:
    page.goto(url + "/sign-in/")
    visit.check(page)
    page.get_by_label("ID card number").fill(ADVISER_CARD)
    page.get_by_label("PIN").fill(ADVISER_PIN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def start_contact(page, visit: Visit, url: str, resident: dict) -> None:
    page.goto(f"{url}/people/{resident['id']}/")
    expect(page.get_by_role("heading", name=resident["name"], exact=True)).to_be_visible()
    visit.check(page)
    page.get_by_label("Phone", exact=True).check()
    page.get_by_role("button", name="Start a contact").click()
    expect(page.get_by_role("heading", name="Services in this contact")).to_be_visible()
    visit.check(page)


def add_service(page, visit: Visit, title: str) -> None:
    """Add a scripted service from the basket page, then come back to the basket."""
    page.get_by_role("button", name=f"Add {title}").click()
    expect(page.locator("form#dialogue-page")).to_be_visible()
    visit.check(page)
    page.get_by_role("link", name="All services in this contact").click()
    expect(page.get_by_role("heading", name="Services in this contact")).to_be_visible()
    visit.check(page)


def on_page(page, page_id: str):
    form = page.locator(f'form#dialogue-page[data-page="{page_id}"]')
    expect(form).to_be_visible()
    return form


def continue_(page, visit: Visit) -> None:
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    visit.check(page)


def say_no(page, question) -> None:
    """Answer No to one yes/no question: a page may ask several."""
    page.get_by_role("group", name=question).get_by_label("No", exact=True).check()


def answers_so_far(page) -> list[str]:
    return page.locator("#answers-so-far .govuk-summary-list__row").all_inner_texts()


def finish_the_missed_bin(page, visit: Visit, today: str) -> None:
    """The black bin was not out by 7am: resolved there and then, nothing to refer."""
    page.get_by_role("link", name=re.compile(r"^Continue .*waste")).click()
    on_page(page, "which_address")
    visit.check(page)
    page.get_by_label(re.compile(r"\(home\)$")).check()
    continue_(page, visit)
    on_page(page, "which_bin")
    page.get_by_label("Black bin (general rubbish)").check()
    year, month, day = today.split("-")
    page.get_by_label("Day").fill(str(int(day)))
    page.get_by_label("Month").fill(str(int(month)))
    page.get_by_label("Year").fill(year)
    continue_(page, visit)
    on_page(page, "presented")
    say_no(page, "Was the bin at the kerbside by 7am?")
    continue_(page, visit)
    expect(page.get_by_role("heading", name=re.compile(": done$"))).to_be_visible()
    expect(page.locator("#main-content")).to_contain_text("Bin not presented for collection")
    page.get_by_role("link", name="Back to the services in this contact").click()
    expect(page.get_by_role("row", name=re.compile("waste"))).to_contain_text("Done")
    visit.check(page)


def start_the_repair(page, visit: Visit) -> None:
    """No gas; the home is the council's: two pages of the repair script."""
    page.get_by_role("link", name=re.compile(r"^Continue .*repairs")).click()
    on_page(page, "safety")
    visit.check(page)
    page.get_by_label("No", exact=True).check()
    continue_(page, visit)
    on_page(page, "landlord")
    page.get_by_label(re.compile(r"\(home\)$")).check()
    continue_(page, visit)
    on_page(page, "problem")


def test_a_contact_follows_the_card_to_another_terminal_and_is_finished_there(
        demo_server, browser, residents):
    url, visit = demo_server.url, Visit()
    resident = residents["residents"][0]
    context_a, desk_a = terminal(browser)
    sign_in(desk_a, visit, url)
    expect(desk_a.get_by_role("heading", name="Find a resident")).to_be_visible()
    visit.check(desk_a)
    start_contact(desk_a, visit, url, resident)
    add_service(desk_a, visit, "Report a missed bin collection")
    add_service(desk_a, visit, "Report a repair in a council home")
    add_service(desk_a, visit, "Change a council tax account or apply for single person discount")
    expect(desk_a.locator("#basket tbody tr")).to_have_count(3)
    finish_the_missed_bin(desk_a, visit, residents["today"])
    start_the_repair(desk_a, visit)

    # What terminal A shows when the adviser walks away, still signed in there.
    run_url = desk_a.url
    contact_id, repair_id = RUN_URL.search(run_url).groups()
    shown_on_a = answers_so_far(desk_a)
    page_on_a = desk_a.locator("form#dialogue-page").get_attribute("data-page")
    assert page_on_a == "problem"
    assert len(shown_on_a) == 2 and "Address of the repair" in shown_on_a[1]
    before = shell_json(demo_server, RUN.format(item_id=repair_id))

    # Terminal B: the same card and PIN land on the same contact, page and answers.
    context_b, room_b = terminal(browser)
    sign_in(room_b, visit, url)
    expect(room_b).to_have_url(run_url)
    assert room_b.locator("form#dialogue-page").get_attribute("data-page") == page_on_a
    assert answers_so_far(room_b) == shown_on_a
    visit.check(room_b)
    moved = shell_json(demo_server, RUN.format(item_id=repair_id))
    assert moved["terminal"] != before["terminal"] and moved["moves"] == before["moves"] + 1

    # Terminal A's page is still on screen; what is entered there is refused and kept out.
    desk_a.get_by_label("Something else").check()
    with desk_a.expect_response(run_url) as refused:
        desk_a.get_by_role("button", name="Continue", exact=True).click()
    assert refused.value.status == 409
    expect(desk_a.get_by_role("heading", name="This contact moved to another terminal")
           ).to_be_visible()
    visit.check(desk_a)
    after = shell_json(demo_server, RUN.format(item_id=repair_id))
    assert after["run"] == moved["run"] and after["terminal"] == moved["terminal"]
    assert "problem" not in after["run"]["answers"]
    again = desk_a.goto(run_url)
    assert again.status == 409
    expect(desk_a.get_by_role("heading", name="This contact moved to another terminal")
           ).to_be_visible()
    assert desk_a.goto(f"{url}/contacts/{contact_id}/").status == 409
    visit.check(desk_a)
    context_a.close()

    # Terminal B finishes the repair to an urgent referral, then the council tax question.
    room_b.get_by_label("Leak or flooding").check()
    room_b.get_by_label("A steady drip that can be caught in a bowl").check()
    say_no(room_b, re.compile("child under 5"))
    continue_(room_b, visit)
    on_page(room_b, "details")
    room_b.get_by_label("Describe the problem and where it is in the home").fill(
        "Drip from the pipe under the kitchen sink")
    room_b.get_by_label("When can someone let the operative in?").fill("Any weekday morning")
    continue_(room_b, visit)
    expect(room_b.locator("#main-content")).to_contain_text("Urgent repair")
    expect(room_b.locator("#main-content")).to_contain_text("Referred to Mid Suffolk housing")
    room_b.get_by_role("link", name="Back to the services in this contact").click()
    expect(room_b.get_by_role("row", name=re.compile("repairs"))).to_contain_text("Referred")
    visit.check(room_b)

    room_b.get_by_role("link", name=re.compile(r"^Continue .*[Cc]ouncil tax")).click()
    on_page(room_b, "reason")
    visit.check(room_b)
    room_b.get_by_label("When payments are due").check()
    continue_(room_b, visit)
    on_page(room_b, "instalments")
    room_b.get_by_label("No", exact=True).check()
    continue_(room_b, visit)
    room_b.get_by_role("link", name="Back to the services in this contact").click()
    expect(room_b.locator("#basket")).not_to_contain_text("In progress")
    visit.check(room_b)

    room_b.get_by_label("Notes").fill("Bin not out in time; kitchen leak; instalment dates")
    room_b.get_by_role("button", name="Close contact").click()
    expect(room_b.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Contact {contact_id} closed: referred")
    visit.check(room_b)
    context_b.close()

    contact = shell_json(demo_server, OUTCOME.format(contact_id=contact_id))
    assert contact["open"] is False
    assert contact["outcome"] == "referred" and contact["resolved_at_first_contact"] is False
    assert contact["notes"] == "Bin not out in time; kitchen leak; instalment dates"
    assert contact["basket"] == [[524, "resolved", "not_presented"],
                                 [139, "referral", "urgent_repair"],
                                 [58, "resolved", "instalments_explained"]]
    assert contact["cases"] == [[139, "mid-suffolk-housing", "mid-suffolk", "urgent"]]
    assert len(visit.checked) >= 25


@pytest.mark.parametrize("leave", ["closes the browser", "pulls the card", "signs out"])
def test_the_contact_is_waiting_on_the_next_terminal_however_the_first_is_left(
        demo_server, browser, residents, leave):
    url, visit = demo_server.url, Visit()
    resident = residents["residents"][1]
    context_a, desk_a = terminal(browser)
    sign_in(desk_a, visit, url)
    start_contact(desk_a, visit, url, resident)
    add_service(desk_a, visit, "Report a repair in a council home")
    start_the_repair(desk_a, visit)
    run_url, shown_on_a = desk_a.url, answers_so_far(desk_a)

    if leave == "closes the browser":
        context_a.close()
    else:
        if leave == "pulls the card":
            desk_a.keyboard.press("F8")  # what the card reader sends as the card comes out
        else:
            desk_a.get_by_role("button", name=re.compile("^Sign out")).click()
        expect(desk_a.get_by_role("heading", name="Sign in with your ID card")).to_be_visible()
        visit.check(desk_a)
        # Signed out, terminal A shows the sign-in page, not the contact.
        desk_a.goto(run_url)
        expect(desk_a).to_have_url(re.compile(r"/sign-in/"))
        context_a.close()

    context_b, room_b = terminal(browser)
    sign_in(room_b, visit, url)
    expect(room_b).to_have_url(run_url)
    on_page(room_b, "problem")
    assert answers_so_far(room_b) == shown_on_a
    visit.check(room_b)
    room_b.get_by_role("link", name="All services in this contact").click()
    room_b.get_by_role("button", name="End as abandoned").click()
    expect(room_b.locator(".govuk-notification-banner--success")).to_contain_text(
        "ended as abandoned")
    visit.check(room_b)
    context_b.close()
