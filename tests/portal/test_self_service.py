"""Residents run the same scripts themselves, on the web or at a kiosk, without signing in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from onestop.cases.models import Case
from onestop.catalogue.models import Service
from onestop.contacts.models import Contact, ContactService, WorkSession
from onestop.staff.actions import do_create_team
from tests.dialogue_steps import post_step, step_of
from tests.personas import MID_SUFFOLK, a_property, authorities

pytestmark = pytest.mark.django_db


@pytest.fixture
def waste_team():
    mid_suffolk, = authorities(MID_SUFFOLK)
    return do_create_team(slug="ms-waste", name="Mid Suffolk waste", authority=mid_suffolk,
                          services=Service.objects.filter(lgsl__in=[524]))


def a_browser(name: str = "r") -> Client:
    client = Client()
    client.cookies["onestop_terminal"] = (name * 32)[:32]
    return client


def begin(client: Client, prefix: str, lgsl: int) -> str:
    started = client.post(f"/{prefix}/start/", {"lgsl": str(lgsl)})
    assert started.status_code == 302, started.content
    return started["Location"]


def tell_about_me(client: Client, about_url: str, home, **extra) -> str:
    done = client.post(about_url, {"name": "Dev Patel", "email": "dev@example.org",
                                   "postcode": home.postcode, "address": str(home.uprn),
                                   **extra})
    assert done.status_code == 302, done.content.decode()[-3000:]
    return done["Location"]


def missed_bin_answers(client: Client, run_url: str, home) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    steps = [
        {"q_address": str(home.uprn)},
        {"q_bin": "recycling", "q_collection_day-day": str(yesterday.day),
         "q_collection_day-month": str(yesterday.month),
         "q_collection_day-year": str(yesterday.year)},
        {"q_out_by_7": "yes", "q_lid_closed": "yes"},
        {"q_access_notes": "Side gate"},
    ]
    for step in steps:
        response = post_step(client, run_url, {"action": "answer", **step})
        assert response.status_code == 302, response.content.decode()[-3000:]


def test_a_resident_reports_a_missed_bin_online_and_it_goes_to_their_district(waste_team):
    home = a_property(MID_SUFFOLK, postcode="IP14 2ZZ")
    resident = a_browser()
    assert "Report a missed bin collection" in resident.get("/services/").content.decode()
    about = begin(resident, "services", 524)
    run_url = tell_about_me(resident, about, home)
    missed_bin_answers(resident, run_url, home)
    done = resident.get(run_url).content.decode()
    assert "Crew to return for the missed bin" in done
    case = Case.objects.get()
    assert case.team == waste_team and case.kind == "service_request"
    assert (case.requester_name, case.requester_email) == ("Dev Patel", "dev@example.org")
    assert case.reference in done
    contact = case.contact
    assert contact.channel == Contact.Channel.WEB and contact.recorded_by is None
    assert contact.outcome == Contact.Outcome.REFERRED
    assert contact.resolved_at_first_contact is False


def test_about_you_names_what_is_wrong_and_saves_nothing(waste_team):
    home = a_property(MID_SUFFOLK, postcode="IP14 2ZZ")
    resident = a_browser()
    about = begin(resident, "services", 524)
    refused = resident.post(about, {"name": "", "email": "not-an-email",
                                    "postcode": home.postcode, "address": str(home.uprn)})
    assert refused.status_code == 400
    assert "Enter your full name" in refused.content.decode()
    refused = resident.post(about, {"name": "Dev", "email": "not-an-email",
                                    "postcode": home.postcode, "address": str(home.uprn)})
    assert "Enter an email address in the correct format" in refused.content.decode()
    assert Contact.objects.get().requester_property is None
    # The run itself waits until the resident has said who and where they are.
    run_url = about.replace("about-you/", "")
    assert resident.get(run_url)["Location"] == about


def test_another_browser_cannot_see_or_answer_a_residents_run(waste_team):
    home = a_property(MID_SUFFOLK)
    resident = a_browser("r")
    run_url = tell_about_me(resident, begin(resident, "services", 524), home)
    stranger = a_browser("s")
    assert stranger.get(run_url).status_code == 404
    step = step_of(resident.get(run_url).content.decode())
    assert stranger.post(run_url, {"action": "answer", "q_address": str(home.uprn),
                                   "step": step}).status_code == 404
    assert ContactService.objects.get().run["answers"] == {}


def test_a_kiosk_left_idle_is_wiped_for_the_next_person(waste_team, settings):
    home = a_property(MID_SUFFOLK)
    kiosk = a_browser("k")
    run_url = tell_about_me(kiosk, begin(kiosk, "kiosk", 524), home)
    post_step(kiosk, run_url, {"action": "answer", "q_address": str(home.uprn)})
    item = ContactService.objects.get()
    assert item.run["answers"] == {"address": home.uprn}
    WorkSession.objects.update(last_step_at=timezone.now() - dt.timedelta(
        seconds=settings.KIOSK_IDLE_SECONDS + 1))
    wiped = kiosk.get(run_url)
    assert wiped.status_code == 302 and wiped["Location"] == "/kiosk/"
    item.refresh_from_db()
    assert item.run == {}
    assert item.contact.outcome == Contact.Outcome.ABANDONED
    assert kiosk.get(run_url).status_code == 404  # the session forgot the run


def test_finish_and_clear_ends_the_kiosk_session_in_one_press(waste_team):
    home = a_property(MID_SUFFOLK)
    kiosk = a_browser("k")
    run_url = tell_about_me(kiosk, begin(kiosk, "kiosk", 524), home)
    page = kiosk.get(run_url).content.decode()
    assert 'data-idle-seconds="' in page and "Finish and clear the screen" in page
    assert kiosk.post("/kiosk/end/").status_code == 302
    assert Contact.objects.get().outcome == Contact.Outcome.ABANDONED
    assert kiosk.get(run_url).status_code == 404


def test_only_scripts_open_to_self_service_are_offered():
    # Council home repairs (LGSL 139) run on the adviser desktop and the web, not kiosks.
    kiosk_page = a_browser("k").get("/kiosk/").content.decode()
    web_page = a_browser("w").get("/services/").content.decode()
    assert "Report a missed bin collection" in kiosk_page
    repairs = "Report a repair in a council home"
    assert repairs in web_page and repairs not in kiosk_page


def test_a_finished_kiosk_run_is_forgotten_once_the_kiosk_is_left_alone(waste_team, settings):
    home = a_property(MID_SUFFOLK)
    kiosk = a_browser("k")
    about = begin(kiosk, "kiosk", 524)
    run_url = tell_about_me(kiosk, about, home)
    missed_bin_answers(kiosk, run_url, home)
    assert "Crew to return for the missed bin" in kiosk.get(run_url).content.decode()
    assert kiosk.get(about)["Location"] == run_url  # finished: the details are not shown
    WorkSession.objects.update(last_step_at=timezone.now() - dt.timedelta(
        seconds=settings.KIOSK_IDLE_SECONDS + 1))
    assert kiosk.get("/kiosk/").status_code == 200
    assert kiosk.get(run_url).status_code == 404
    assert kiosk.get(about).status_code == 404
    assert Case.objects.get().requester_name == "Dev Patel"  # the request itself stands


def test_a_resident_still_typing_keeps_the_kiosk_session(waste_team, settings):
    home = a_property(MID_SUFFOLK)
    kiosk = a_browser("k")
    run_url = tell_about_me(kiosk, begin(kiosk, "kiosk", 524), home)
    long_ago = timezone.now() - dt.timedelta(seconds=settings.KIOSK_IDLE_SECONDS + 1)
    WorkSession.objects.update(last_step_at=long_ago)
    assert kiosk.post("/kiosk/still-here/").status_code == 204
    assert WorkSession.objects.get().last_step_at > long_ago
    assert kiosk.get(run_url).status_code == 200
    assert a_browser("x").post("/kiosk/still-here/").status_code == 204  # nobody's: no-op
