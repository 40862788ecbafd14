"""What every response tells the browser: keep nothing personal, run only OneStop's scripts."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from onestop.staff.models import Role
from tests.cases.factories import BINS, a_back_office_officer, a_case, a_councillor, a_team
from tests.personas import MID_SUFFOLK, a_resident, a_staff_member, a_team_leader, an_adviser
from tests.portal.test_self_service import a_browser, begin, tell_about_me

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def resident():
    return a_resident(given_name="Amara", family_name="Okafor")


@pytest.fixture
def officer():
    return a_back_office_officer(a_team(MID_SUFFOLK, services=[BINS], leader=a_team_leader()))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Cache-Control: no-store -----------------------------------------------------------------


def test_a_person_page_is_not_kept_by_the_browser(resident):
    response = signed_in(an_adviser()).get(f"/people/{resident.pk}/")
    assert response.status_code == 200
    assert no_store(response) and "private" in response["Cache-Control"]


def test_a_case_page_is_not_kept_by_the_browser(officer, resident):
    case = a_case(person=resident, property=resident.household.property)
    response = signed_in(officer).get(f"/cases/{case.reference}/")
    assert response.status_code == 200 and no_store(response)


def test_the_people_search_api_is_not_kept(resident):
    api = APIClient()
    api.force_authenticate(an_adviser())
    response = api.get("/api/v1/people", {"q": "Amara Okafor"})
    assert response.status_code == 200 and "Okafor" in response.content.decode()
    assert no_store(response)


def test_a_residents_self_service_run_is_not_kept(resident):
    browser = a_browser()
    about = begin(browser, "services", BINS)
    about_page = browser.get(about)
    run = browser.get(tell_about_me(browser, about, resident.household.property))
    assert about_page.status_code == run.status_code == 200
    assert no_store(about_page) and no_store(run)


def test_the_residents_life_event_page_and_sign_in_are_not_kept():
    anonymous = Client()
    for url in ("/services/life-events/", "/sign-in/", "/sign-in/password/"):
        assert no_store(anonymous.get(url)), url


def test_every_page_a_signed_in_member_of_staff_gets_is_not_kept():
    # Even a catalogue answer: the session may hold a contact in progress.
    client = signed_in(an_adviser())
    for url in ("/services/", "/api/v1/services?q=bins", "/cases/"):
        assert no_store(client.get(url)), url


def test_public_catalogue_answers_may_be_cached():
    anonymous = Client()
    for url in ("/services/", "/kiosk/", "/api/v1/services?q=bins", "/api/schema/"):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert not no_store(response), url


def test_a_partner_systems_answers_are_not_kept():
    partner = APIClient()
    partner.force_authenticate(a_staff_member(Role.PARTNER_SYSTEM))
    assert no_store(partner.get("/api/v1/services", {"q": "bins"}))


# --- Content-Security-Policy -----------------------------------------------------------------


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def test_the_policy_allows_only_onestops_own_scripts_and_styles():
    found = directives(Client().get("/services/"))
    assert found["script-src"] == ["'self'"] and found["style-src"] == ["'self'"]
    assert found["default-src"] == ["'self'"] and found["object-src"] == ["'none'"]
    assert found["frame-ancestors"] == ["'none'"] and found["base-uri"] == ["'none'"]
    assert found["form-action"] == ["'self'"]


def staff_pages(resident, officer) -> list[tuple[Client, str]]:
    """Several pages of each role, as that role sees them."""
    case = a_case(person=resident, property=resident.household.property)
    adviser, leader = signed_in(an_adviser()), signed_in(a_team_leader())
    owner = signed_in(a_staff_member(Role.SERVICE_OWNER))
    administrator = signed_in(a_staff_member(Role.ADMINISTRATOR))
    councillor = signed_in(a_councillor())
    return [
        (adviser, "/"),
        (adviser, "/?q=Amara+Okafor"),
        (adviser, f"/people/{resident.pk}/"),
        (adviser, "/contacts/new/"),
        (adviser, f"/people/{resident.pk}/life-events/new/"),
        (adviser, "/life-events/self-service/"),
        (signed_in(officer), "/cases/"),
        (signed_in(officer), f"/cases/{case.reference}/"),
        (leader, "/identity-review/"),
        (leader, "/cases/escalated/"),
        (owner, "/dialogues/"),
        (owner, f"/dialogues/{BINS}/"),
        (owner, "/eligibility/rules/"),
        (councillor, "/cases/enquiries/"),
        (councillor, "/cases/enquiries/new/"),
        (administrator, "/access-log/"),
        (administrator, "/integrations/dead-letters/"),
        (administrator, "/admin/"),
    ]


def resident_pages(resident) -> list[tuple[Client, str]]:
    web, kiosk = a_browser("w"), a_browser("k")
    pages = [(Client(), url) for url in (
        "/sign-in/", "/sign-in/password/", "/services/", "/services/?q=bin", "/kiosk/",
        "/services/life-events/")]
    for browser, prefix in ((web, "services"), (kiosk, "kiosk")):
        about = begin(browser, prefix, BINS)
        pages.append((browser, about))
        pages.append((browser, tell_about_me(browser, about, resident.household.property)))
    return pages


INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    """Everything in a page that a policy without 'unsafe-inline' would block."""
    found = [f"<script{attrs}>" for attrs in SCRIPT_TAG.findall(html)
             if "src=" not in attrs and 'type="application/json"' not in attrs]
    found += INLINE_HANDLER.findall(html)
    found += re.findall(r"javascript:", html, re.IGNORECASE)
    found += re.findall(r"<[^>]*\sstyle\s*=", html, re.IGNORECASE)
    found += re.findall(r"<style\b", html, re.IGNORECASE)
    return found


def test_no_page_of_any_role_has_inline_script_or_style_and_every_one_has_the_policy(
        resident, officer):
    pages = staff_pages(resident, officer) + resident_pages(resident)
    problems = {}
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        script_src = directives(response)["script-src"]
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        html = response.content.decode()
        assert "<script" in html, url  # the pages do use scripts: from files
        if inline_code(html):
            problems[url] = inline_code(html)
    assert problems == {}


def test_error_pages_carry_the_policy_too():
    response = signed_in(an_adviser()).get("/people/999999999/")
    assert response.status_code == 404
    assert directives(response)["script-src"] == ["'self'"] and no_store(response)
