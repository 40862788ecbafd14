"""Staff pages in a real browser: an administrator adds an adviser and issues their ID card,
and the adviser signs in with it; a team leader unlocks a locked card with a new PIN, and
it signs in again. Every page passes axe-core."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serious_accessibility_violations
from tests.e2e.test_new_pages import DEMO_PASSWORD

pytestmark = pytest.mark.browser

LOCKED_ADVISER = """
from onestop.authorities.models import Authority
from onestop.staff.actions import do_card_sign_in, do_create_staff_user, do_issue_id_card
adviser = do_create_staff_user(username=USERNAME, first_name="Ola", last_name="Bright",
                               roles=["adviser"],
                               authorities=Authority.objects.filter(slug="babergh"))
card = do_issue_id_card(adviser, number=CARD, pin="2580")
for _ in range(5):
    do_card_sign_in(CARD, "0000", terminal="e2e", address="192.0.2.200")
card.refresh_from_db()
print(card.is_locked)
"""


def checked(page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


def sign_in_with_password(page, url: str, username: str) -> None:
    page.goto(url + "/sign-in/password/")
    checked(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/sign-in/"))


def sign_out_and_in_with_card(page, card: str, pin: str) -> None:
    page.get_by_role("button", name=re.compile("^Sign out")).click()
    expect(page.get_by_role("heading", name="Sign in with your ID card")).to_be_visible()
    checked(page)
    page.get_by_label("ID card number").fill(card)
    page.get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Find a resident")).to_be_visible()


def navigation(page):
    return page.get_by_role("navigation", name="Menu")


def a_card_number() -> str:
    return str(700_000_000 + uuid.uuid4().int % 100_000_000)


def test_an_administrator_adds_an_adviser_with_a_card_who_then_signs_in(demo_server, page):
    username, card = f"adviser-{uuid.uuid4().hex[:6]}", a_card_number()
    sign_in_with_password(page, demo_server.url, "administrator")
    navigation(page).get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    checked(page)
    page.get_by_role("link", name="Add a member of staff").click()
    checked(page)

    page.get_by_label("Username").fill(username)
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Cole")
    page.get_by_role("button", name="Add member of staff").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose at least one role")
    checked(page)

    page.get_by_role("group", name="Roles").get_by_label("Adviser").check()
    page.get_by_role("group", name="Councils they act for").get_by_label(
        "Babergh District Council").check()
    page.get_by_role("button", name="Add member of staff").click()
    expect(page.get_by_role("heading", name="Nia Cole")).to_be_visible()
    expect(page.get_by_text("No ID card has been issued")).to_be_visible()
    checked(page)

    page.get_by_role("link", name="Issue an ID card").click()
    checked(page)
    page.get_by_label("Card number").fill(card)
    page.get_by_label("New PIN").fill("12")
    page.get_by_role("button", name="Issue card").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("4 to 8 digits")
    checked(page)
    page.get_by_label("New PIN").fill("3691")
    page.get_by_role("button", name="Issue card").click()
    expect(page.get_by_text(f"Card {card} issued to Nia Cole")).to_be_visible()
    expect(page.get_by_role("cell", name=card, exact=True)).to_be_visible()
    checked(page)

    sign_out_and_in_with_card(page, card, "3691")
    expect(page.get_by_role("button", name="Sign out Nia Cole")).to_be_visible()
    checked(page)


def test_a_team_leader_unlocks_a_locked_card_which_then_signs_in(demo_server, page):
    username, card = f"locked-{uuid.uuid4().hex[:6]}", a_card_number()
    code = LOCKED_ADVISER.replace("USERNAME", repr(username)).replace("CARD", repr(card))
    assert demo_server.shell(code).strip().splitlines()[-1] == "True"

    page.goto(demo_server.url + "/sign-in/")
    page.get_by_label("ID card number").fill(card)
    page.get_by_label("PIN").fill("2580")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Ask your team leader")
    checked(page)

    sign_in_with_password(page, demo_server.url, "team-leader")
    navigation(page).get_by_role("link", name="Locked cards and sign-ins").click()
    expect(page.get_by_role("heading", name="Locked cards and sign-ins")).to_be_visible()
    checked(page)
    row = page.get_by_role("row").filter(has_text=card)
    expect(row).to_contain_text("Ola Bright")
    row.get_by_role("link", name=re.compile("^Unlock with a new PIN")).click()
    expect(page.get_by_role("heading", name=f"Unlock card {card}")).to_be_visible()
    checked(page)
    page.get_by_label("New PIN").fill("4702")
    page.get_by_role("button", name="Unlock card").click()
    expect(page.get_by_text(f"Card {card} unlocked with a new PIN")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=card)).to_have_count(0)
    checked(page)

    sign_out_and_in_with_card(page, card, "4702")
    expect(page.get_by_role("button", name="Sign out Ola Bright")).to_be_visible()
    checked(page)
