"""An adviser takes a life event inside a contact, with the shipped "Tell us once" script
(LGSL 370, outcome `life_event`): when it ends, the event is reported exactly as the
life-event form reports it, in the same transaction as the step, and the basket item
links to it. A second report of the same event tells nobody again."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from onestop.catalogue.models import Service
from onestop.contacts.actions import CannotReport, do_add_service, do_answer_page, do_start_contact
from onestop.contacts.models import Contact, ContactService
from onestop.dialogues.actions import CONTENT, DialogueInvalid, do_load_shipped_dialogues
from onestop.dialogues.engine import RunState
from onestop.dialogues.validation import parse
from onestop.integrations.models import OutboxMessage
from onestop.lifeevents.actions import LifeEventError
from onestop.lifeevents.mapping import EventKind
from onestop.lifeevents.models import LifeEvent, LifeEventNotice
from onestop.lifeevents.scripted import report_from_answers
from tests.contacts.test_contact_journey import add, date_answer, start, terminal
from tests.dialogue_steps import post_step
from tests.lifeevents.factories import a_couple, receives, teams_for_every_service
from tests.personas import a_property, a_resident, an_adviser

pytestmark = pytest.mark.django_db

TELL_US_ONCE = 370
SCRIPT = CONTENT / "370-change-of-circumstances.json"
# As in test_reporting: a death in the couple's household is told to these services.
TOLD_OF_DEATH = [58, 69, 364, 279, 530, 437, 209, 273]


@pytest.fixture
def couple():
    do_load_shipped_dialogues()
    teams_for_every_service("http://127.0.0.1:9/back-office")
    margaret, daniel = a_couple()
    receives(daniel, 530)
    return margaret, daniel


def answer(desk, url: str, **fields) -> None:
    response = post_step(desk, url, {"action": "answer",
                                     **{f"q_{k}": v for k, v in fields.items()}})
    errors = re.findall(r'govuk-error-message">(.*?)</p>', response.content.decode(), re.S)
    assert response.status_code == 302, errors


def desk_for(resident, name: str = "a"):
    desk = terminal(name)
    desk.force_login(an_adviser())
    return desk, start(desk, resident)


def tell_of_death(desk, contact_id: int, died, *, email="grace@example.org",
                  on: dt.date | None = None):
    """Daniel rings: Margaret has died. Returns the URL of the script's run."""
    url = add(desk, contact_id, TELL_US_ONCE)
    answer(desk, url, kind="death", who=str(died.pk))
    answer(desk, url, informant_name="Daniel Okafor", informant_email=email,
           informant_phone="")
    on = on or timezone.localdate() - dt.timedelta(days=2)
    return url, post_step(desk, url, {"action": "answer", **{
        f"q_{k}": v for k, v in date_answer("occurred_on", on).items()}})


def test_a_death_told_in_a_contact_is_reported_once_to_every_service_it_affects(couple):
    margaret, daniel = couple
    desk, contact_id = desk_for(daniel)
    _, last = tell_of_death(desk, contact_id, margaret)
    assert last.status_code == 302, last.content.decode()[:2000]

    item = ContactService.objects.get(contact_id=contact_id, service__lgsl=TELL_US_ONCE)
    assert (item.outcome_type, item.is_finished) == ("life_event", True)
    event = item.life_event
    assert (event.kind, event.person, event.channel) == ("death", margaret, "phone")
    assert [n.service.lgsl for n in event.notices.order_by("id")] == TOLD_OF_DEATH
    margaret.refresh_from_db()
    assert margaret.date_of_death == timezone.localdate() - dt.timedelta(days=2)
    [confirmation] = OutboxMessage.objects.filter(kind="notify.email")
    assert confirmation.payload["to"] == "grace@example.org"
    # The outcome page says what was done, and links to the event.
    page = desk.get(f"/contacts/{contact_id}/").content.decode()
    assert "Every service it affects has been told" in page
    assert f'href="/life-events/{event.pk}/">what was done</a>' in page

    desk.post(f"/contacts/{contact_id}/", {"action": "close"})
    contact = Contact.objects.get(pk=contact_id)
    assert contact.outcome == Contact.Outcome.RESOLVED and contact.resolved_at_first_contact


def tell_of_new_name(desk, contact_id: int, person) -> None:
    url = add(desk, contact_id, TELL_US_ONCE)
    answer(desk, url, kind="change_of_name", who=str(person.pk))
    answer(desk, url, new_given_name="Maggie", new_family_name="Adeyemi")
    answer(desk, url, **date_answer("occurred_on", timezone.localdate()))


def test_the_same_change_told_again_in_another_contact_tells_nobody_again(couple):
    margaret, _ = couple
    desk, first_contact = desk_for(margaret)
    tell_of_new_name(desk, first_contact, margaret)
    desk.post(f"/contacts/{first_contact}/", {"action": "close"})
    messages, notices = OutboxMessage.objects.count(), LifeEventNotice.objects.count()
    assert notices > 0

    other, second_contact = desk_for(margaret, "b")
    tell_of_new_name(other, second_contact, margaret)

    again = ContactService.objects.get(contact_id=second_contact, service__lgsl=TELL_US_ONCE)
    assert again.is_finished and again.life_event == LifeEvent.objects.get()
    assert OutboxMessage.objects.count() == messages
    assert LifeEventNotice.objects.count() == notices
    margaret.refresh_from_db()
    assert margaret.full_name == "Maggie Adeyemi"


def test_a_death_with_no_way_to_confirm_to_the_informant_is_refused_and_nothing_written(
        couple):
    margaret, daniel = couple
    desk, contact_id = desk_for(daniel)
    url, last = tell_of_death(desk, contact_id, margaret, email="")
    assert last.status_code == 302 and last["Location"] == url
    page = desk.get(url).content.decode()
    assert "cannot report it yet" in page and "email or phone" in page
    item = ContactService.objects.get(contact_id=contact_id, service__lgsl=TELL_US_ONCE)
    assert not item.is_finished and item.life_event is None
    assert not LifeEvent.objects.exists() and not OutboxMessage.objects.exists()
    margaret.refresh_from_db()
    assert margaret.date_of_death is None


def test_a_move_within_the_area_told_in_a_contact_moves_the_resident(couple):
    margaret, _ = couple
    new_home = a_property(postcode="IP14 2CD")
    desk, contact_id = desk_for(margaret)
    url = add(desk, contact_id, TELL_US_ONCE)
    answer(desk, url, kind="moving_within", who=str(margaret.pk))
    # The new home is found by its postcode, then chosen, as the adviser does.
    post_step(desk, url, {"action": "answer", "find": "new_home",
                          "q_new_home-postcode": "IP14 2CD"})
    answer(desk, url, **{"new_home-postcode": "IP14 2CD", "new_home": str(new_home.uprn)})
    post_step(desk, url, {"action": "answer", **{
        f"q_{k}": v for k, v in date_answer("occurred_on", timezone.localdate()).items()}})
    event = ContactService.objects.get(contact_id=contact_id,
                                       service__lgsl=TELL_US_ONCE).life_event
    assert (event.kind, event.details["uprn"]) == ("moving_within", new_home.uprn)
    margaret.refresh_from_db()
    assert margaret.household.property == new_home


# --- the script format -----------------------------------------------------------------------

def test_the_shipped_script_offers_every_kind_of_life_event_and_no_other():
    document = json.loads(SCRIPT.read_text())
    [kind] = [q for q in document["pages"][0]["questions"] if q["id"] == "kind"]
    assert [o["value"] for o in kind["options"]] == [
        EventKind.BIRTH, EventKind.DEATH, EventKind.MOVING_IN, EventKind.MOVING_WITHIN,
        EventKind.MOVING_OUT, EventKind.CHANGE_OF_NAME, EventKind.DISABILITY,
        EventKind.BECOMING_CARER, EventKind.TURNING_18]


def _with_outcome(**life_event) -> dict:
    document = json.loads(SCRIPT.read_text())
    document["outcomes"][0]["life_event"] = {**document["outcomes"][0]["life_event"],
                                             **life_event}
    return document


@pytest.mark.parametrize(("change", "message"), [
    ({"on": "nowhere"}, "outcome told: life_event on names no question 'nowhere'"),
    ({"on": "informant_name"}, "outcome told: life_event on must be a date question; "
                               "informant_name is a text question"),
    ({"about": "kind"}, "outcome told: life_event about must be a person question"),
    ({"details": {"uprn": "no_such"}},
     "outcome told: life_event details.uprn names no question 'no_such'"),
])
def test_a_life_event_outcome_must_name_questions_of_the_right_type(change, message):
    with pytest.raises(DialogueInvalid) as refused:
        parse(json.dumps(_with_outcome(**change)))
    assert any(message in error for error in refused.value.errors), refused.value.errors


def test_a_kind_of_event_or_a_detail_onestop_does_not_know_is_refused():
    document = _with_outcome(details={"uprm": "new_home"})
    document["pages"][0]["questions"][0]["options"].append(
        {"value": "marriage", "label": "Got married"})
    with pytest.raises(DialogueInvalid) as refused:
        parse(json.dumps(document))
    errors = " | ".join(refused.value.errors)
    assert "life_event details.uprm is not a detail a life event has" in errors
    assert "life_event kind kind offers 'marriage', which is not a kind of life event" in errors


def test_the_date_must_be_asked_on_every_way_to_the_outcome():
    document = json.loads(SCRIPT.read_text())
    # A birth skips the date page: the event could not be reported.
    birth = next(p for p in document["pages"] if p["id"] == "birth")
    birth["next"] = [{"outcome": "told"}]
    with pytest.raises(DialogueInvalid) as refused:
        parse(json.dumps(document))
    assert "page birth: ends in told, but its life_event on (occurred_on) is not asked on " \
           "every way there" in refused.value.errors


def test_a_life_event_outcome_is_for_advisers_only():
    document = json.loads(SCRIPT.read_text())
    document["channels"] = ["adviser", "self_service"]
    with pytest.raises(DialogueInvalid) as refused:
        parse(json.dumps(document))
    assert any("reported through a script only by an adviser" in error
               for error in refused.value.errors)


# --- whom it is about ----------------------------------------------------------------------

def run_through_actions(adviser, resident, pages: list[dict]) -> ContactService:
    """The script run step by step through the contact's actions, as the desk's views do."""
    terminal_key = "t" * 32
    session = do_start_contact(adviser=adviser, channel="phone", terminal=terminal_key,
                               person=resident)
    item = do_add_service(session, Service.objects.get(lgsl=TELL_US_ONCE), by=adviser,
                          terminal=terminal_key)
    for raw in pages:
        item.refresh_from_db()
        step = RunState.from_json(item.run).step
        assert do_answer_page(session, item, {**raw, "step": step}, by=adviser,
                              terminal=terminal_key) == {}
    item.refresh_from_db()
    return item


def disability_pages(who: str) -> list[dict]:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return [{"q_kind": "disability", "q_who": who},
            {f"q_{k}": v for k, v in date_answer("occurred_on", yesterday).items()}]


def test_a_contact_without_a_resident_cannot_report_a_life_event(couple):
    margaret, _ = couple
    # With nobody in the contact, "who" is free text: typing a record's number names no one.
    with pytest.raises(CannotReport, match="start the contact with the resident"):
        run_through_actions(an_adviser(), None, disability_pages(str(margaret.pk)))
    assert not LifeEvent.objects.exists()
    assert not ContactService.objects.filter(finished_at__isnull=False).exists()


def test_only_the_resident_or_someone_they_live_with_can_be_named(couple):
    margaret, daniel = couple
    stranger = a_resident(given_name="Norah", family_name="Quist")
    adviser, terminal_key = an_adviser(), "t" * 32
    session = do_start_contact(adviser=adviser, channel="phone", terminal=terminal_key,
                               person=margaret)
    item = do_add_service(session, Service.objects.get(lgsl=TELL_US_ONCE), by=adviser,
                          terminal=terminal_key)
    step = RunState.from_json(item.run).step
    errors = do_answer_page(session, item, {"q_kind": "disability", "q_who": str(stranger.pk),
                                            "step": step}, by=adviser, terminal=terminal_key)
    assert errors == {"who": "Choose a person from the list"}
    # And were the picker ever bypassed, the report itself names only the household.
    spec = json.loads(SCRIPT.read_text())["outcomes"][0]["life_event"]
    answers = {"kind": "disability", "who": stranger.pk, "occurred_on": "2026-11-30"}
    with pytest.raises(LifeEventError, match="choose the resident or someone they live with"):
        report_from_answers(spec, answers, resident=margaret, by=adviser, channel="phone")
    assert not LifeEvent.objects.exists()
    item = run_through_actions(an_adviser(), margaret, disability_pages(str(daniel.pk)))
    assert (item.life_event.kind, item.life_event.person) == ("disability", daniel)
