"""The newer pages in a real browser: script authoring, worklists and cases, councillors'
enquiries, self-service on the web and at a kiosk. Every page each user sees passes
axe-core with no serious or critical violation, error states included. Then what only a
browser shows: the kiosk clears itself on Escape and after a quiet spell (warning first),
and a dialogue page shows a question that depends on an answer on the same page only once
that answer calls for it.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serious_accessibility_violations
from tests.e2e.test_contact_journey import (
    END_OPEN_CONTACT,
    RESIDENTS,
    add_service,
    on_page,
    start_contact,
    start_the_repair,
)
from tests.e2e.test_contact_journey import Visit as JourneyVisit
from tests.e2e.test_contact_journey import sign_in as sign_in_with_card

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "onestop-demo"
MISSED_BIN = 524

# Cases for the back office to work, at the Mid Suffolk sample property: a missed bin
# raised today, one raised a month ago and so escalated to the team's leader, and a
# council tax query. The demo area itself has no cases.
RAISE_CASES = """
import datetime as dt, json
from django.db import transaction
from django.utils import timezone
from onestop.cases.actions import do_escalate_breaches, do_raise_case
from onestop.catalogue.models import Service
from onestop.people.models import Property
home = Property.objects.get(uprn={uprn})
raised = {{}}
with transaction.atomic():
    for name, lgsl, days_ago, title in (
            ("bin", 524, 0, "Crew to return for the missed bin"),
            ("late_bin", 524, 30, "Crew to return for the missed bin"),
            ("council_tax", 58, 0, "Council tax account query")):
        case = do_raise_case(kind="service_request", service=Service.objects.get(lgsl=lgsl),
                             property=home, title=title, details=[("Notes", "Raised by a test")],
                             sla_working_days=2, requester_name="Alex Example",
                             raised_at=timezone.now() - dt.timedelta(days=days_ago))
        raised[name] = {{"reference": case.reference, "team": case.team.slug}}
do_escalate_breaches()
print(json.dumps(raised))
"""

# The answer a back-office officer gives, so the councillor can rate it.
RESOLVE_ENQUIRY = """
from onestop.cases.actions import do_resolve_case
from onestop.cases.models import Case
case = Case.objects.select_related("team__leader").get(reference="{reference}")
do_resolve_case(case, case.team.leader, "The crew will come back on Thursday.")
"""

# A draft left open would change what the script pages offer in any later test.
DISCARD_DRAFT = """
from onestop.dialogues.models import DialogueVersion
DialogueVersion.objects.filter(dialogue__service__lgsl={lgsl}, number={number},
                               status=DialogueVersion.Status.DRAFT).delete()
"""


class Visit:
    """Checks each page a user lands on, so none is left out."""

    def __init__(self, page) -> None:
        self.page = page
        self.checked: list[str] = []

    def check(self) -> None:
        self.page.wait_for_load_state()
        assert serious_accessibility_violations(self.page) == [], self.page.url
        # A template comment Django did not recognise is shown as text on the page.
        assert "{#" not in self.page.locator("body").inner_text(), self.page.url
        self.checked.append(self.page.url)


def shell_json(demo_server, code: str):
    return json.loads(demo_server.shell(code).strip().splitlines()[-1])


def sign_in(page, url: str, username: str) -> None:
    page.goto(url + "/sign-in/password/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    expect(page).not_to_have_url(re.compile(r"/sign-in/"))


def error_summary(page):
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    return summary


def continue_(page) -> None:
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_load_state()


def answer_the_missed_bin(page, visit: Visit, today: str, postcode: str = "") -> None:
    """From the script's first page to its referral: the bin was out in time, lid closed.

    The same pages on the adviser's preview and the residents' own run pages; with
    `postcode`, the address is found on the page by postcode first."""
    on_page(page, "which_address")
    visit.check()
    address = page.get_by_role("group", name="Address of the missed collection")
    if postcode:
        # A resident's own address, given on "About you", is offered; others by postcode.
        expect(address.get_by_label(re.compile(r"\(home\)$"))).to_be_visible()
        address.get_by_label("Find another address by postcode").fill(postcode)
        address.get_by_role("button", name="Find addresses").click()
        expect(address.get_by_role("radio").first).to_be_visible()
        visit.check()
    address.get_by_role("radio").first.check()
    continue_(page)
    on_page(page, "which_bin")
    visit.check()
    page.get_by_label("Black bin (general rubbish)").check()
    year, month, day = today.split("-")
    page.get_by_label("Day").fill(str(int(day)))
    page.get_by_label("Month").fill(str(int(month)))
    page.get_by_label("Year").fill(year)
    continue_(page)
    on_page(page, "presented")
    visit.check()
    page.get_by_role("group", name="Was the bin at the kerbside by 7am?").get_by_label(
        "Yes", exact=True).check()
    page.get_by_role("group", name="Was the lid closed, with nothing on top?").get_by_label(
        "Yes", exact=True).check()
    continue_(page)
    on_page(page, "contact")
    visit.check()
    page.get_by_label("Anything the crew should know").fill("The bin is by the front gate")
    continue_(page)
    expect(page.locator("#main-content")).to_contain_text("Crew to return for the missed bin")
    visit.check()


@pytest.fixture(scope="module")
def today(demo_server) -> str:
    return demo_server.shell(
        "from django.utils import timezone; print(timezone.localdate().isoformat())"
    ).strip().splitlines()[-1]


# --- service owner -------------------------------------------------------------------------


def test_a_service_owner_sees_accessible_script_pages_from_the_list_to_publishing(
        demo_server, page, today):
    url, visit = demo_server.url, Visit(page)
    sign_in(page, url, "service-owner")
    page.goto(url + "/dialogues/")
    page.locator(f'a[href="/dialogues/{MISSED_BIN}/"]').click()
    expect(page.get_by_role("table", name="Versions")).to_be_visible()
    visit.check()
    published = page.locator(".govuk-summary-list__row", has_text="Published version").locator(
        "dd").inner_text().removeprefix("Version ")

    page.goto(f"{url}/dialogues/{MISSED_BIN}/draft/")
    script = page.get_by_label("Script (JSON)")
    expect(script).to_have_value(re.compile('"lgsl": 524'))
    visit.check()
    good = script.input_value()
    script.fill(good.replace('"start": "which_address"', '"start": "no_such_page"'))
    page.get_by_role("button", name="Save draft").click()
    expect(error_summary(page)).to_contain_text("no_such_page")
    visit.check()

    page.get_by_label("Script (JSON)").fill(good)
    page.get_by_label("What changed").fill("Checked in the browser")
    page.get_by_role("button", name="Save draft").click()
    saved = page.locator(".govuk-notification-banner--success")
    expect(saved).to_contain_text("Draft version")
    draft = re.search(r"Draft version (\d+)", saved.inner_text()).group(1)
    try:
        visit.check()
        page.goto(f"{url}/dialogues/{MISSED_BIN}/versions/{draft}/publish/")
        expect(page.get_by_role("button", name=f"Publish version {draft}")).to_be_visible()
        visit.check()
        page.get_by_label("Year").fill("2001")  # the review date must be in the future
        page.get_by_label("Day").fill("1")
        page.get_by_label("Month").fill("1")
        page.get_by_role("button", name=f"Publish version {draft}").click()
        error_summary(page)
        visit.check()
    finally:
        demo_server.shell(DISCARD_DRAFT.format(lgsl=MISSED_BIN, number=draft))

    page.goto(f"{url}/dialogues/{MISSED_BIN}/versions/{published}/preview/")
    answer_the_missed_bin(page, visit, today)
    assert len(visit.checked) >= 11


# --- back office and team leader -----------------------------------------------------------


@pytest.fixture(scope="module")
def cases(demo_server) -> dict:
    return shell_json(demo_server, RAISE_CASES.format(
        uprn=demo_server.sample_properties["mid-suffolk"]))


def test_back_office_worklists_and_cases_are_accessible(demo_server, page, cases):
    url, visit = demo_server.url, Visit(page)
    sign_in(page, url, "back-office")
    page.goto(url + "/cases/")
    visit.check()
    page.get_by_role("link", name="Mid Suffolk revenues and benefits").click()
    row = page.get_by_role("row", name=re.compile(cases["council_tax"]["reference"]))
    expect(row).to_contain_text("Council tax account query")
    visit.check()
    row.get_by_role("link", name=cases["council_tax"]["reference"]).click()
    expect(page.get_by_role("heading", name="Council tax account query")).to_be_visible()
    visit.check()
    page.get_by_role("button", name="Resolve").click()  # no response yet
    expect(error_summary(page)).to_be_visible()
    visit.check()
    assert len(visit.checked) == 4


def test_a_team_leader_sees_accessible_worklists_escalations_and_performance(
        demo_server, page, cases):
    url, visit = demo_server.url, Visit(page)
    sign_in(page, url, "team-leader")
    page.goto(url + "/cases/")
    visit.check()
    page.goto(f"{url}/cases/teams/{cases['bin']['team']}/")
    expect(page.get_by_role("row", name=re.compile(cases["late_bin"]["reference"]))
           ).to_contain_text("overdue")
    visit.check()
    page.goto(f"{url}/cases/{cases['late_bin']['reference']}/")
    expect(page.locator("strong.govuk-tag", has_text="Escalated")).to_be_visible()
    visit.check()
    page.goto(url + "/cases/escalated/")
    expect(page.get_by_role("row", name=re.compile(cases["late_bin"]["reference"]))
           ).to_be_visible()
    visit.check()
    page.goto(url + "/cases/enquiries/performance/")
    expect(page.get_by_role("heading", name="Members' enquiries performance")).to_be_visible()
    visit.check()
    page.get_by_label("From").fill("2026-06-30")
    page.get_by_label("To").fill("2026-06-01")
    page.get_by_role("button", name="Show").click()
    expect(error_summary(page)).to_contain_text("on or after the start date")
    visit.check()
    assert len(visit.checked) == 6


# --- councillor ----------------------------------------------------------------------------


def test_a_councillor_raises_follows_and_rates_an_enquiry_on_accessible_pages(
        demo_server, page):
    url, visit = demo_server.url, Visit(page)
    sign_in(page, url, "councillor")
    page.goto(url + "/cases/enquiries/new/")
    expect(page.get_by_role("heading", name="Raise an enquiry")).to_be_visible()
    visit.check()
    page.get_by_role("button", name="Raise the enquiry").click()  # nothing filled in
    error_summary(page)
    visit.check()

    page.get_by_label("Postcode").fill(demo_server.sample_postcodes["mid-suffolk"])
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.get_by_role("table")).to_be_visible()
    visit.check()
    page.get_by_role("link", name=re.compile("^Choose")).first.click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("For ")
    page.get_by_label("Service", exact=True).select_option(str(MISSED_BIN))
    page.get_by_label("The constituent's question").fill(
        "The bins in the close were missed again this week")
    page.get_by_role("button", name="Raise the enquiry").click()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("raised with")
    visit.check()
    reference = re.search(r"Enquiry (C-\d+)", banner.inner_text()).group(1)

    demo_server.shell(RESOLVE_ENQUIRY.format(reference=reference))
    page.goto(url + "/cases/enquiries/")
    rating = page.locator(f"#rate-{reference}")
    expect(rating).to_be_visible()
    visit.check()
    rating.get_by_role("button").click()  # no rating chosen
    expect(error_summary(page)).to_contain_text("Choose a rating from 1 to 5")
    visit.check()
    page.locator(f"#rate-{reference}").get_by_label("4 (good)").check()
    page.locator(f"#rate-{reference}").get_by_role("button").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("rated 4")
    visit.check()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=re.compile("bins in the close"))).to_be_visible()
    visit.check()
    assert len(visit.checked) == 8


# --- residents, on the web and at a kiosk --------------------------------------------------


def start_the_missed_bin(page, visit: Visit, url: str, prefix: str) -> None:
    page.goto(f"{url}/{prefix}/")
    visit.check()
    page.get_by_role("button", name=re.compile("^Report a missed bin collection")).click()
    expect(page.get_by_role("heading", name="About you")).to_be_visible()
    visit.check()


def tell_about_me(page, visit: Visit, postcode: str) -> None:
    page.get_by_label("Full name").fill("Alex Example")
    page.get_by_label("Email address (optional)").fill("alex@example.org")
    page.get_by_role("button", name="Find address").click()  # no postcode yet
    expect(error_summary(page)).to_contain_text("Enter a full UK postcode")
    visit.check()
    page.get_by_label("Postcode").fill(postcode)
    page.get_by_role("button", name="Find address").click()
    addresses = page.get_by_role("group", name="Your address")
    expect(addresses).to_be_visible()
    visit.check()
    addresses.get_by_role("radio").first.check()
    continue_(page)


@pytest.mark.parametrize("prefix", ["services", "kiosk"])
def test_a_resident_reports_a_missed_bin_themselves_on_accessible_pages(
        demo_server, page, today, prefix):
    url, visit = demo_server.url, Visit(page)
    start_the_missed_bin(page, visit, url, prefix)
    postcode = demo_server.sample_postcodes["mid-suffolk"]
    tell_about_me(page, visit, postcode)
    answer_the_missed_bin(page, visit, today, postcode)
    expect(page.locator("#main-content")).to_contain_text("Your reference is C-")
    assert len(visit.checked) == 10


def test_escape_at_the_kiosk_clears_the_session(demo_server, page):
    url, visit = demo_server.url, Visit(page)
    start_the_missed_bin(page, visit, url, "kiosk")
    tell_about_me(page, visit, demo_server.sample_postcodes["mid-suffolk"])
    on_page(page, "which_address")
    run_url = page.url
    page.keyboard.press("Escape")
    expect(page).to_have_url(f"{url}/kiosk/")
    expect(page.get_by_role("status")).to_contain_text("Finished")
    assert page.goto(run_url).status == 404


def test_a_quiet_kiosk_warns_then_clears_itself_and_a_tap_keeps_it(demo_server, page):
    url, visit = demo_server.url, Visit(page)
    page.clock.install()
    start_the_missed_bin(page, visit, url, "kiosk")
    tell_about_me(page, visit, demo_server.sample_postcodes["mid-suffolk"])
    on_page(page, "which_address")
    run_url = page.url
    idle = int(page.locator("body").get_attribute("data-idle-seconds"))
    assert idle >= 20
    warn_after = idle - min(30, idle // 2)  # kiosk.js: warn for up to the last 30 seconds
    warning = page.get_by_role("alertdialog", name="Are you still there?")

    page.clock.run_for((warn_after - 1) * 1000)
    expect(warning).to_be_hidden()
    page.clock.run_for(2000)
    expect(warning).to_be_visible()
    expect(page.get_by_role("button", name="I am still here")).to_be_focused()
    visit.check()
    page.get_by_role("button", name="I am still here").click()
    expect(warning).to_be_hidden()
    page.clock.run_for((warn_after - 1) * 1000)  # a full quiet spell again from the tap
    expect(warning).to_be_hidden()
    expect(page).to_have_url(run_url)

    page.clock.run_for(2000)
    expect(warning).to_be_visible()
    page.clock.run_for((idle - warn_after) * 1000)
    expect(page).to_have_url(f"{url}/kiosk/")
    expect(page.get_by_role("status")).to_contain_text("Finished")
    assert page.goto(run_url).status == 404


# --- questions that depend on an answer on the same page -----------------------------------


@pytest.fixture
def council_tenant(demo_server):
    found = shell_json(demo_server, RESIDENTS)
    assert found["residents"], "the demo area has no council tenant without a contact"
    yield found["residents"][-1]
    demo_server.shell(END_OPEN_CONTACT)


def test_a_repair_question_shows_only_once_the_problem_chosen_calls_for_it(
        demo_server, browser, council_tenant):
    context = browser.new_context()
    page, visit = context.new_page(), JourneyVisit()
    sign_in_with_card(page, visit, demo_server.url)
    start_contact(page, visit, demo_server.url, council_tenant)
    add_service(page, visit, "Report a repair in a council home")
    start_the_repair(page, visit)
    form = on_page(page, "problem")
    # Found by the page's own markers, so a hidden question is found (and seen hidden).
    leak, heating, toilet = (form.locator(f'[data-question="{question}"]')
                             for question in ("leak", "heating", "only_toilet"))
    always = form.get_by_role("group", name=re.compile("child under 5"))
    expect(leak).to_have_count(1)

    expect(leak).to_be_hidden()
    expect(heating).to_be_hidden()
    expect(always).to_be_visible()
    visit.check(page)
    form.get_by_label("Leak or flooding").check()
    expect(leak).to_be_visible()
    expect(heating).to_be_hidden()
    visit.check(page)
    form.get_by_label("Heating or hot water").check()
    expect(leak).to_be_hidden()
    expect(heating).to_be_visible()
    expect(toilet).to_be_hidden()
    visit.check(page)
    context.close()
