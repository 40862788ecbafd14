"""The adviser's "Report a life event" page and residents' self-service page."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.core.models import RecordAccess
from onestop.integrations.models import OutboxMessage
from onestop.lifeevents.models import LifeEvent, SelfServiceReport
from onestop.people.actions import do_add_email
from tests.lifeevents.factories import a_couple, teams_for_every_service
from tests.personas import a_babergh_adviser, a_property, a_resident, an_adviser

pytestmark = pytest.mark.django_db

DEATH = {"kind": "death", "on_day": "20", "on_month": "11", "on_year": "2026",
         "channel": "phone", "informant_name": "Grace Okafor",
         "informant_email": "grace@example.org"}


def test_the_person_page_links_to_reporting_a_life_event(client):
    resident = a_resident()
    client.force_login(an_adviser())
    page = client.get(f"/people/{resident.pk}/").content.decode()
    assert f'href="/people/{resident.pk}/life-events/new/"' in page
    form = client.get(f"/people/{resident.pk}/life-events/new/")
    assert form.status_code == 200
    assert "Report a life event" in form.content.decode()


def test_an_adviser_reports_a_death_and_sees_every_service_told(client):
    teams_for_every_service("http://127.0.0.1:9/hooks")
    margaret, _ = a_couple()
    client.force_login(an_adviser())

    response = client.post(f"/people/{margaret.pk}/life-events/new/", DEATH)

    event = LifeEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/life-events/{event.pk}/"
    assert (event.kind, event.channel, event.informant_name) == ("death", "phone",
                                                                 "Grace Okafor")
    page = client.get(response["Location"]).content.decode()
    assert "Electoral register (LGSL 364)" in page
    assert "Sent to the team's system: pending, 0 attempts" in page
    assert "Email to grace@example.org: pending" in page
    assert RecordAccess.objects.filter(person=margaret, purpose="view life event").exists()


def test_the_adviser_form_says_what_is_missing_and_reports_nothing(client):
    resident = a_resident()
    client.force_login(an_adviser())
    response = client.post(f"/people/{resident.pk}/life-events/new/", {"kind": "death"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Enter the date it happened" in html
    death = client.post(f"/people/{resident.pk}/life-events/new/",
                        {**DEATH, "informant_name": "", "informant_email": ""})
    assert death.status_code == 400
    assert "a death is reported by an informant" in death.content.decode()
    assert not LifeEvent.objects.exists() and not OutboxMessage.objects.exists()


def test_the_adviser_finds_the_new_address_by_postcode_then_reports_the_move(client):
    resident = a_resident()
    new_home = a_property(postcode="IP14 5ZZ")
    client.force_login(an_adviser())
    url = f"/people/{resident.pk}/life-events/new/"
    move = {"kind": "moving_within", "on_day": "1", "on_month": "11", "on_year": "2026",
            "new_postcode": "ip14 5zz"}
    found = client.post(url, {**move, "find": "1"})
    assert found.status_code == 200 and f'value="{new_home.uprn}"' in found.content.decode()
    assert not LifeEvent.objects.exists()
    moved = client.post(url, {**move, "uprn": str(new_home.uprn)})
    assert moved.status_code == 302
    resident.refresh_from_db()
    assert resident.household.property == new_home


def test_finding_addresses_before_choosing_the_event_complains_only_of_the_postcode(client):
    resident = a_resident()
    client.force_login(an_adviser())
    url = f"/people/{resident.pk}/life-events/new/"
    found = client.post(url, {"new_postcode": "IP14 1AB", "find": "1"})
    assert found.status_code == 200 and "There is a problem" not in found.content.decode()
    unknown = client.post(url, {"new_postcode": "ZZ99 9ZZ", "find": "1"})
    assert unknown.status_code == 400
    html = unknown.content.decode()
    assert "We have no addresses at that postcode" in html and "Select what happened" not in html


def test_an_adviser_outside_the_residents_councils_may_not_open_the_form(client):
    client.force_login(a_babergh_adviser())
    assert client.get(f"/people/{a_resident().pk}/life-events/new/").status_code == 403


NEUTRAL = ("Thank you. If the details match our records we will contact you using the "
           "details we hold.")


def margarets(resident, **changes) -> dict:
    """Self-service answers naming Margaret Okafor (see tests.personas.a_resident)."""
    return {"given_name": "margaret", "family_name": "OKAFOR", "born_day": "14",
            "born_month": "3", "born_year": "1958",
            "postcode": resident.household.property.postcode.lower(),
            "kind": "disability", "on_day": "2", "on_month": "11", "on_year": "2026",
            **changes}


def a_stranger_reports_margarets_death(client, resident):
    return client.post("/services/life-events/", margarets(
        resident, kind="death", on_day="20", informant_name="A Stranger",
        informant_email="stranger@example.net"))


def test_a_self_service_report_changes_nothing_and_sends_nothing_until_an_adviser_checks_it(
        client):
    teams_for_every_service("http://127.0.0.1:9/hooks")
    margaret, _ = a_couple()
    page = client.get("/services/life-events/")
    assert page.status_code == 200 and "Tell us once" in page.content.decode()

    response = a_stranger_reports_margarets_death(client, margaret)

    assert response.status_code == 302
    assert response["Location"] == "/services/life-events/done/"
    done = client.get(response["Location"]).content.decode()
    assert NEUTRAL in done and "LE-" not in done
    margaret.refresh_from_db()
    assert margaret.date_of_death is None and margaret.household_id is not None
    assert not LifeEvent.objects.exists() and not OutboxMessage.objects.exists()
    report = SelfServiceReport.objects.get()
    assert (report.person, report.kind, report.status) == (margaret, "death", "reported")


def test_the_page_answers_the_same_whether_or_not_anyone_matched(client):
    resident = a_resident()
    matched = a_stranger_reports_margarets_death(client, resident)
    repeated = a_stranger_reports_margarets_death(client, resident)
    unmatched = client.post("/services/life-events/", margarets(resident, born_day="15"))
    # Invalid for the action (a move with no address) but well-formed: still no clue.
    invalid = client.post("/services/life-events/", margarets(resident, kind="moving_within"))
    resident.date_of_death = dt.date(2026, 11, 1)
    resident.save(update_fields=["date_of_death"])
    already_dead = a_stranger_reports_margarets_death(client, resident)

    answers = {(r.status_code, r["Location"]) for r in
               (matched, repeated, unmatched, already_dead, invalid)}
    assert answers == {(302, "/services/life-events/done/")}
    assert SelfServiceReport.objects.count() == 2  # the death once, then the move
    assert not LifeEvent.objects.exists()


def test_only_mistakes_in_the_form_itself_are_shown(client):
    resident = a_resident()
    response = client.post("/services/life-events/", margarets(resident, on_month="13"))
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not SelfServiceReport.objects.exists()


def test_an_adviser_confirms_a_report_and_only_then_are_the_services_told(client):
    teams_for_every_service("http://127.0.0.1:9/hooks")
    margaret, _ = a_couple()
    do_add_email(margaret, "m.okafor@example.org")
    client.post("/services/life-events/", margarets(margaret))
    report = SelfServiceReport.objects.get()
    adviser = an_adviser()
    client.force_login(adviser)

    listing = client.get("/life-events/self-service/").content.decode()
    assert "Margaret Okafor" in listing and "Confirm" in listing

    response = client.post(f"/life-events/self-service/{report.pk}/confirm/")

    event = LifeEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/life-events/{event.pk}/"
    assert (event.person, event.channel, event.reported_by) == (margaret, "web", adviser)
    margaret.refresh_from_db()
    assert margaret.has_disability
    assert event.confirmation.payload["to"] == "m.okafor@example.org"  # details we hold
    report.refresh_from_db()
    assert (report.status, report.event, report.decided_by) == ("confirmed", event, adviser)
    assert "Margaret Okafor" not in client.get("/life-events/self-service/").content.decode()


def test_a_confirmed_death_sends_nothing_to_the_contact_details_the_reporter_typed(client):
    teams_for_every_service("http://127.0.0.1:9/hooks")
    margaret, _ = a_couple()
    a_stranger_reports_margarets_death(client, margaret)
    report = SelfServiceReport.objects.get()
    client.force_login(an_adviser())

    client.post(f"/life-events/self-service/{report.pk}/confirm/")

    event = LifeEvent.objects.get()
    assert event.notices.exists() and event.confirmation is None
    assert "an adviser contacts them" in event.confirmation_note
    assert not OutboxMessage.objects.filter(kind__startswith="notify.").exists()
    assert "stranger@example.net" not in str(
        list(OutboxMessage.objects.values_list("payload", flat=True)))


def test_a_dropped_report_changes_nothing_and_cannot_then_be_confirmed(client):
    resident = a_resident()
    client.post("/services/life-events/", margarets(resident))
    report = SelfServiceReport.objects.get()
    client.force_login(an_adviser())

    assert client.post(f"/life-events/self-service/{report.pk}/drop/").status_code == 302
    again = client.post(f"/life-events/self-service/{report.pk}/confirm/")

    assert again.status_code == 400 and "already dropped" in again.content.decode()
    report.refresh_from_db()
    assert report.status == "dropped" and not LifeEvent.objects.exists()


def test_a_report_the_adviser_cannot_act_on_says_why_and_stays_to_check(client):
    resident = a_resident()
    client.post("/services/life-events/", margarets(resident, kind="moving_within"))
    report = SelfServiceReport.objects.get()
    client.force_login(an_adviser())
    response = client.post(f"/life-events/self-service/{report.pk}/confirm/")
    assert response.status_code == 400 and "details.uprn" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "reported" and not LifeEvent.objects.exists()


def test_advisers_elsewhere_do_not_see_or_decide_the_report_and_residents_cannot(client):
    resident = a_resident()
    client.post("/services/life-events/", margarets(resident))
    report = SelfServiceReport.objects.get()
    assert client.get("/life-events/self-service/").status_code in (302, 403)
    assert client.post(f"/life-events/self-service/{report.pk}/confirm/").status_code in (
        302, 403)
    client.force_login(a_babergh_adviser())
    assert "Margaret Okafor" not in client.get("/life-events/self-service/").content.decode()
    assert client.post(f"/life-events/self-service/{report.pk}/confirm/").status_code == 403
    report.refresh_from_db()
    assert report.status == "reported"


def test_the_adviser_form_accepts_only_the_advisers_channels(client):
    resident = a_resident()
    client.force_login(an_adviser())
    url = f"/people/{resident.pk}/life-events/new/"
    disability = {"kind": "disability", "on_day": "2", "on_month": "11", "on_year": "2026"}
    for channel in ("web", "partner", "pigeon"):
        refused = client.post(url, {**disability, "channel": channel})
        assert refused.status_code == 400
        assert "Select how they are telling us" in refused.content.decode()
    assert not LifeEvent.objects.exists()
    assert client.post(url, {**disability, "channel": "letter"}).status_code == 302
    assert LifeEvent.objects.get().channel == "letter"
