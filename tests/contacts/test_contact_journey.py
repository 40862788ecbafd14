"""A contact under way: several services in one basket, answers saved on every step, the
outcome rolled up, and the contact carried to another terminal with the adviser's card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from onestop.cases.models import Case
from onestop.catalogue.models import Service
from onestop.contacts.models import Contact, ContactService, WorkSession
from onestop.staff.actions import do_create_team
from tests.dialogue_steps import post_step, step_of
from tests.personas import BABERGH, MID_SUFFOLK, a_property, a_resident, an_adviser, authorities

pytestmark = pytest.mark.django_db
THIS_MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def teams():
    mid_suffolk, = authorities(MID_SUFFOLK)
    waste = do_create_team(slug="ms-waste", name="Mid Suffolk waste", authority=mid_suffolk,
                           services=Service.objects.filter(lgsl__in=[524, 530]))
    housing = do_create_team(slug="ms-housing", name="Mid Suffolk housing",
                             authority=mid_suffolk,
                             services=Service.objects.filter(lgsl__in=[139, 156]))
    return waste, housing


def terminal(name: str) -> Client:
    client = Client()
    client.cookies["onestop_terminal"] = (name * 32)[:32]
    return client


def sign_in(client: Client, adviser, pin: str = "1234"):
    return client.post("/sign-in/", {"card_number": adviser.card_number, "pin": pin})


def start(client: Client, resident) -> int:
    response = client.post(f"/people/{resident.pk}/contacts/start/", {"channel": "phone"})
    assert response.status_code == 302, response.content
    return WorkSession.objects.get(contact__person=resident, closed_at__isnull=True).contact_id


def add(client: Client, contact_id: int, lgsl: int) -> str:
    response = client.post(f"/contacts/{contact_id}/", {"action": "add", "lgsl": str(lgsl)})
    assert response.status_code == 302, response.content
    return response["Location"]


def answer(client: Client, url: str, **fields) -> None:
    response = post_step(client, url, {"action": "answer",
                                       **{f"q_{k}": v for k, v in fields.items()}})
    assert response.status_code == 302, response.content.decode()[:3000]


def date_answer(name: str, day: dt.date) -> dict:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month),
            f"{name}-year": str(day.year)}


def report_a_bin_not_put_out(client, contact_id, home) -> str:
    url = add(client, contact_id, 524)
    answer(client, url, address=str(home.uprn))
    yesterday = dt.date.today() - dt.timedelta(days=1)
    post_step(client, url, {"action": "answer", "q_bin": "refuse",
                      **{f"q_{k}": v for k, v in date_answer("collection_day",
                                                                yesterday).items()}})
    answer(client, url, out_by_7="no")
    return url


def report_a_leak(client, contact_id, home) -> str:
    url = add(client, contact_id, 139)
    answer(client, url, gas_smell="no")
    answer(client, url, address=str(home.uprn), tenure="council")
    answer(client, url, problem="leak", leak="contained", vulnerable_declared="no")
    answer(client, url, description="Drip under the kitchen sink", access="Any weekday")
    return url


def test_a_resolved_missed_bin_and_a_referred_repair_are_not_resolved_at_first_contact(teams):
    adviser, home = an_adviser(), a_property(MID_SUFFOLK, tenure="")
    resident = a_resident(property=home)
    desk = terminal("a")
    desk.force_login(adviser)
    contact_id = start(desk, resident)
    report_a_bin_not_put_out(desk, contact_id, home)
    report_a_leak(desk, contact_id, home)
    basket = list(ContactService.objects.filter(contact_id=contact_id).order_by("position"))
    assert [(i.service.lgsl, i.outcome_type) for i in basket] == [
        (524, "resolved"), (139, "referral")]
    case = basket[1].case
    assert case.team == teams[1] and case.authority.slug == MID_SUFFOLK
    # A contained leak is urgent under the repair priority rules: five working days.
    assert (case.kind, case.priority, case.sla_working_days) == ("referral", "urgent", 5)
    assert "Drip under the kitchen sink" in [answer for _, answer in case.details]
    closed = desk.post(f"/contacts/{contact_id}/", {"action": "close", "notes": "Two issues"})
    assert closed.status_code == 302
    contact = Contact.objects.get(pk=contact_id)
    assert contact.outcome == Contact.Outcome.REFERRED
    assert contact.resolved_at_first_contact is False
    assert contact.notes == "Two issues" and contact.ended_at is not None
    assert set(contact.services.values_list("lgsl", flat=True)) == {524, 139}
    person_page = desk.get(closed["Location"]).content.decode()
    assert case.reference in person_page and "Mid Suffolk housing" in person_page


def test_a_contact_with_only_resolved_services_is_resolved_at_first_contact(teams):
    adviser, home = an_adviser(), a_property(MID_SUFFOLK)
    resident = a_resident(property=home)
    desk = terminal("a")
    desk.force_login(adviser)
    contact_id = start(desk, resident)
    report_a_bin_not_put_out(desk, contact_id, home)
    desk.post(f"/contacts/{contact_id}/", {"action": "close"})
    contact = Contact.objects.get(pk=contact_id)
    assert contact.outcome == Contact.Outcome.RESOLVED
    assert contact.resolved_at_first_contact is True
    assert not Case.objects.filter(contact=contact).exists()


def test_a_contact_cannot_close_with_a_service_unfinished(teams):
    adviser = an_adviser()
    resident = a_resident()
    desk = terminal("a")
    desk.force_login(adviser)
    contact_id = start(desk, resident)
    add(desk, contact_id, 524)
    response = desk.post(f"/contacts/{contact_id}/", {"action": "close"}, follow=True)
    assert "finish or remove" in response.content.decode()
    assert Contact.objects.get(pk=contact_id).is_open


def test_every_answer_is_saved_as_it_is_given_and_a_bad_one_is_refused(teams):
    adviser, home = an_adviser(), a_property(MID_SUFFOLK)
    desk = terminal("a")
    desk.force_login(adviser)
    contact_id = start(desk, a_resident(property=home))
    url = add(desk, contact_id, 524)
    answer(desk, url, address=str(home.uprn))
    item = ContactService.objects.get(contact_id=contact_id)
    assert item.run["answers"] == {"address": home.uprn}
    assert item.run["page"] == "which_bin"
    refused = post_step(desk, url, {"action": "answer", "q_bin": "compost"})
    assert refused.status_code == 400
    assert "choose one of the options given" in refused.content.decode()
    item.refresh_from_db()
    assert item.run["page"] == "which_bin" and "bin" not in item.run["answers"]


def test_the_card_carries_the_contact_to_another_terminal_and_the_old_one_is_told(teams):
    adviser, home = an_adviser(), a_property(MID_SUFFOLK)
    desk_a, room_b = terminal("a"), terminal("b")
    assert sign_in(desk_a, adviser).status_code == 302
    contact_id = start(desk_a, a_resident(property=home))
    url = add(desk_a, contact_id, 524)
    answer(desk_a, url, address=str(home.uprn))
    before = desk_a.get(url).content.decode()
    stale_step = step_of(before)

    landed = sign_in(room_b, adviser)
    assert landed.status_code == 302 and landed["Location"] == "/contacts/resume/"
    resumed = room_b.get(landed["Location"])
    assert resumed.status_code == 302 and resumed["Location"] == url
    page_b = room_b.get(url).content.decode()
    assert 'data-page="which_bin"' in page_b
    assert _answers_block(page_b) == _answers_block(before)

    moved = desk_a.get(url)
    assert moved.status_code == 409
    assert "This contact moved to another terminal" in moved.content.decode()
    refused = desk_a.post(url, {"action": "answer", "q_bin": "refuse", "step": stale_step})
    assert refused.status_code == 409
    item = ContactService.objects.get(contact_id=contact_id)
    assert "bin" not in item.run["answers"]
    assert WorkSession.objects.get(contact_id=contact_id).moves == 1


def test_an_adviser_has_one_open_contact_and_cannot_open_anothers(teams):
    adviser, other = an_adviser(), an_adviser()
    desk = terminal("a")
    desk.force_login(adviser)
    contact_id = start(desk, a_resident())
    again = desk.post(f"/people/{a_resident(given_name='Ann').pk}/contacts/start/",
                      {"channel": "phone"}, follow=True)
    assert f"finish contact {contact_id} before starting another" in again.content.decode()
    intruder = terminal("c")
    intruder.force_login(other)
    assert intruder.get(f"/contacts/{contact_id}/").status_code == 403


def _answers_block(html: str) -> str:
    start = html.index('id="answers-so-far"')
    return html[start:html.index("</dl>", start)]


def test_a_second_click_on_an_answered_page_changes_nothing(teams):
    adviser, home = an_adviser(), a_property(MID_SUFFOLK)
    desk = terminal("a")
    desk.force_login(adviser)
    contact_id = start(desk, a_resident(property=home))
    url = add(desk, contact_id, 524)
    form = desk.get(url).content.decode()
    first = {"action": "answer", "q_address": str(home.uprn), "step": step_of(form)}
    assert desk.post(url, first).status_code == 302
    again = desk.post(url, first, follow=True)  # the same form, posted twice
    assert "That page had already been answered" in again.content.decode()
    item = ContactService.objects.get(contact_id=contact_id)
    assert item.run["page"] == "which_bin" and item.run["trail"] == ["which_address"]
    back = {"action": "back", "step": step_of(desk.get(url).content.decode())}
    desk.post(url, back)
    desk.post(url, back)  # a double click on Previous page goes back one page only
    item.refresh_from_db()
    assert item.run["page"] == "which_address" and item.run["trail"] == []


def test_ending_a_contact_early_keeps_a_referral_already_raised(teams):
    adviser, home = an_adviser(), a_property(MID_SUFFOLK, tenure="")
    desk = terminal("a")
    desk.force_login(adviser)
    contact_id = start(desk, a_resident(property=home))
    report_a_leak(desk, contact_id, home)
    add(desk, contact_id, 524)  # begun, never finished
    desk.post(f"/contacts/{contact_id}/", {"action": "abandon"})
    contact = Contact.objects.get(pk=contact_id)
    assert contact.outcome == Contact.Outcome.REFERRED
    assert contact.resolved_at_first_contact is False
    assert Case.objects.filter(contact=contact).count() == 1


def test_a_contact_with_nothing_finished_ends_as_abandoned(teams):
    desk = terminal("a")
    desk.force_login(an_adviser())
    contact_id = start(desk, a_resident())
    add(desk, contact_id, 524)
    desk.post(f"/contacts/{contact_id}/", {"action": "abandon"})
    assert Contact.objects.get(pk=contact_id).outcome == Contact.Outcome.ABANDONED


def test_an_address_not_offered_is_refused_and_one_found_by_postcode_routes_the_request(teams):
    babergh, = authorities(BABERGH)
    babergh_waste = do_create_team(slug="b-waste", name="Babergh waste", authority=babergh,
                                   services=Service.objects.filter(lgsl__in=[524]))
    adviser, home = an_adviser(), a_property(MID_SUFFOLK)
    elsewhere = a_property(BABERGH, postcode="CO10 2AA", town="Sudbury")
    desk = terminal("a")
    desk.force_login(adviser)
    contact_id = start(desk, a_resident(property=home))
    url = add(desk, contact_id, 524)
    typed = post_step(desk, url, {"action": "answer", "q_address": str(elsewhere.uprn)})
    assert typed.status_code == 400 and "Choose an address from the list" in \
        typed.content.decode()
    found = post_step(desk, url, {"find": "address", "q_address-postcode": "co10 2aa"})
    assert elsewhere.one_line_address in found.content.decode()
    answer(desk, url, **{"address": str(elsewhere.uprn), "address-postcode": "CO10 2AA"})
    yesterday = dt.date.today() - dt.timedelta(days=1)
    post_step(desk, url, {"action": "answer", "q_bin": "refuse",
                          **{f"q_{k}": v for k, v in date_answer("collection_day",
                                                                    yesterday).items()}})
    answer(desk, url, out_by_7="yes", lid_closed="yes")
    answer(desk, url, access_notes="")
    case = Case.objects.get(contact_id=contact_id)
    # The bin was missed in Babergh: Babergh's crew goes back, not the resident's district.
    assert (case.team, case.property) == (babergh_waste, elsewhere)


def test_a_caller_no_record_matches_gives_details_that_a_referral_carries(teams):
    home = a_property(MID_SUFFOLK, postcode="IP14 5XY")
    desk = terminal("a")
    desk.force_login(an_adviser())
    started = desk.post("/contacts/start/", {"channel": "phone"})
    contact_id = int(started["Location"].strip("/").split("/")[1])
    refused = desk.post(f"/contacts/{contact_id}/", {"action": "requester", "name": "Ann"},
                        follow=True)
    assert "so that the council can answer" in refused.content.decode()
    listed = desk.get(f"/contacts/{contact_id}/?postcode=ip145xy").content.decode()
    assert home.one_line_address in listed
    desk.post(f"/contacts/{contact_id}/", {"action": "requester", "name": "Ann Lee",
                                           "phone": "01449 724500", "postcode": "IP14 5XY",
                                           "address": str(home.uprn)})
    contact = Contact.objects.get(pk=contact_id)
    assert (contact.requester_name, contact.requester_phone, contact.requester_property) == (
        "Ann Lee", "+441449724500", home)
    report_a_leak(desk, contact_id, home)
    case = Case.objects.get(contact=contact)
    assert (case.requester_name, case.requester_phone) == ("Ann Lee", "+441449724500")
    assert case.team == teams[1]
