"""The adviser's "Report a life event" page and residents' self-service page."""

from __future__ import annotations

import pytest

from onestop.core.models import RecordAccess
from onestop.integrations.models import OutboxMessage
from onestop.lifeevents.models import LifeEvent
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


def test_a_resident_tells_us_of_a_disability_with_no_sign_in(client):
    resident = a_resident()
    do_add_email(resident, "m.okafor@example.org")
    postcode = resident.household.property.postcode
    page = client.get("/services/life-events/")
    assert page.status_code == 200 and "Tell us once" in page.content.decode()

    response = client.post("/services/life-events/", {
        "given_name": "margaret", "family_name": "OKAFOR", "born_day": "14",
        "born_month": "3", "born_year": "1958", "postcode": postcode.lower(),
        "kind": "disability", "on_day": "2", "on_month": "11", "on_year": "2026"})

    event = LifeEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/services/life-events/{event.pk}/done/"
    assert (event.person, event.channel, event.reported_by) == (resident, "web", None)
    done = client.get(response["Location"]).content.decode()
    assert f"LE-{event.pk:06d}" in done and "sending a confirmation" in done
    assert "m.okafor@example.org" not in done  # nothing from our records is shown
    assert event.confirmation.payload["to"] == "m.okafor@example.org"
    assert client.get(f"/services/life-events/{event.pk + 1}/done/").status_code == 404


def test_a_resident_we_cannot_match_is_told_to_call_and_nothing_is_reported(client):
    resident = a_resident()
    response = client.post("/services/life-events/", {
        "given_name": "Margaret", "family_name": "Okafor", "born_day": "15",
        "born_month": "3", "born_year": "1958",
        "postcode": resident.household.property.postcode,
        "kind": "disability", "on_day": "2", "on_month": "11", "on_year": "2026"})
    assert response.status_code == 400
    assert "We could not find a resident with that name" in response.content.decode()
    assert not LifeEvent.objects.exists()


def test_another_browser_cannot_see_a_residents_confirmation_page(client):
    resident = a_resident()
    client.post("/services/life-events/", {
        "given_name": "Margaret", "family_name": "Okafor", "born_day": "14",
        "born_month": "3", "born_year": "1958",
        "postcode": resident.household.property.postcode,
        "kind": "disability", "on_day": "2", "on_month": "11", "on_year": "2026"})
    event = LifeEvent.objects.get()
    client.logout()
    client.cookies.clear()
    assert client.get(f"/services/life-events/{event.pk}/done/").status_code == 404
