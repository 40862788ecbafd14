"""Reporting a life event: the records change once, every affected service is told once,
and one confirmation lists everything that was done."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases.models import Case
from onestop.integrations.fake_notify import FakeNotifyServer
from onestop.integrations.models import DeliveryAttempt, OutboxMessage
from onestop.integrations.worker import Worker
from onestop.lifeevents.actions import Informant, LifeEventError, do_report_life_event
from onestop.lifeevents.models import LifeEvent, LifeEventNotice
from onestop.people.actions import do_add_phone
from onestop.people.models import Person
from tests.integrations.receiver import Receiver
from tests.lifeevents.factories import SECRET, a_couple, receives, teams_for_every_service
from tests.personas import BABERGH, a_babergh_adviser, a_property, a_resident, an_adviser

pytestmark = pytest.mark.django_db
DIED = dt.date(2026, 11, 20)
FAMILY = Informant(name="Grace Okafor", email="grace@example.org")
# Told of a death in the couple's household: everything "always", housing benefit (Daniel
# has it) and garden waste (they subscribe); not the parking permit they do not hold.
TOLD_OF_DEATH = [58, 69, 364, 279, 530, 437, 209, 273]


@pytest.fixture
def receiver():
    receiver = Receiver(SECRET).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def notify(settings):
    with FakeNotifyServer(api_key=settings.NOTIFY_API_KEY,
                          templates=settings.NOTIFY_TEMPLATES) as server:
        settings.NOTIFY_BASE_URL = server.url
        yield server


def report_death(person, adviser, **extra):
    return do_report_life_event("death", person, DIED, {}, adviser, informant=FAMILY, **extra)


def webhooks() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind="webhook").order_by("id"))


def test_a_death_reported_once_updates_the_household_and_tells_each_service_once(receiver):
    teams_for_every_service(receiver.url)
    margaret, daniel = a_couple()
    receives(daniel, 530)
    home = margaret.household

    event = report_death(margaret, an_adviser())

    margaret.refresh_from_db()
    assert event.reported_now is True
    assert margaret.date_of_death == DIED and margaret.household is None
    assert list(home.members.all()) == [daniel]
    assert event.changes[0] == "Margaret Okafor recorded as having died on 20 November 2026"
    assert [m.key for m in webhooks()] == [f"life-event:{event.pk}:{lgsl}"
                                           for lgsl in TOLD_OF_DEATH]
    notices = list(event.notices.order_by("id"))
    assert [n.service.lgsl for n in notices] == TOLD_OF_DEATH
    assert {n.delivery for n in notices} == {"webhook"}
    council_tax = notices[0].outbox_message.payload
    assert council_tax["person"]["address"] == home.property.one_line_address
    assert council_tax["changed"] == event.changes
    assert council_tax["why"].startswith("The council tax account at their home changes")
    [confirmation] = OutboxMessage.objects.filter(kind="notify.email")
    assert confirmation.key == f"life-event:{event.pk}:confirmation"
    assert confirmation.payload["to"] == "grace@example.org"  # the informant, not the dead
    assert confirmation.payload["template"] == "life_event_confirmation_email"
    done = confirmation.payload["personalisation"]["done"]
    assert "Household garden waste (Mid Suffolk District Council) told" in done
    assert "removed from the household" in done


def test_a_repeat_report_of_the_same_death_returns_the_event_and_sends_nothing(receiver):
    teams_for_every_service(receiver.url)
    margaret, daniel = a_couple()
    receives(daniel, 530)
    first = report_death(margaret, an_adviser())
    before = OutboxMessage.objects.count()

    again = report_death(margaret, an_adviser(), channel="partner")

    assert again.pk == first.pk and again.reported_now is False
    assert OutboxMessage.objects.count() == before
    assert LifeEvent.objects.count() == 1 and LifeEventNotice.objects.count() == 8


def test_once_the_worker_runs_each_service_has_one_delivery_with_its_attempt(receiver, notify):
    teams_for_every_service(receiver.url)
    margaret, daniel = a_couple()
    receives(daniel, 530)
    event = report_death(margaret, an_adviser())
    report_death(margaret, an_adviser())  # reported twice: still one fan-out

    # The worker's --once mode, in process (the command also drops the test's connection).
    assert Worker(worker_id="test").run(poll_seconds=0, once=True) == (
        len(TOLD_OF_DEATH) + 1, 0)

    assert sorted(receiver.applied.values()) == [1] * len(TOLD_OF_DEATH)
    assert set(receiver.applied) == {f"life-event:{event.pk}:{lgsl}" for lgsl in TOLD_OF_DEATH}
    for message in OutboxMessage.objects.all():
        assert message.status == "delivered", (message.key, message.last_error)
        assert message.attempts == 1
    assert DeliveryAttempt.objects.filter(ok=True).count() == len(TOLD_OF_DEATH) + 1
    [email] = notify.received
    assert (email["to"], email["template"]) == ("grace@example.org",
                                                "life_event_confirmation_email")
    assert "Electoral register (Mid Suffolk District Council) told" in email["content"]["body"] \
        or "Electoral register" in email["personalisation"]["done"]


def test_a_team_without_a_system_gets_the_notice_as_a_case_on_its_worklist():
    teams = teams_for_every_service()  # no endpoints at all
    margaret, _ = a_couple()
    event = report_death(margaret, an_adviser())
    notice = event.notices.get(service__lgsl=58)
    assert notice.delivery == "worklist" and notice.outbox_message is None
    case = notice.case
    assert (case.team, case.person, case.kind) == (teams[58], margaret, "referral")
    assert ["What happened", "A death on 20 November 2026"] in case.details
    assert not OutboxMessage.objects.filter(kind="webhook").exists()
    assert Case.objects.count() == event.notices.count() == len(TOLD_OF_DEATH) - 1


def test_a_service_no_team_handles_is_recorded_and_the_confirmation_says_so():
    margaret, _ = a_couple()  # no teams at all
    event = report_death(margaret, an_adviser())
    assert {n.delivery for n in event.notices.all()} == {"not_routed"}
    assert "has no team that handles" in event.notices.first().note
    done = event.confirmation.payload["personalisation"]["done"]
    assert "we could not pass this on; please contact the service yourself" in done


def test_moving_within_the_area_moves_the_person_and_is_routed_by_the_new_address(receiver):
    teams_for_every_service(receiver.url)
    resident = a_resident(phone="07712 345678")
    old_home = resident.household.property
    new_home = a_property(postcode="IP14 2AA")

    event = do_report_life_event("moving_within", resident, dt.date(2026, 11, 1),
                                 {"uprn": new_home.uprn}, an_adviser())

    resident.refresh_from_db()
    assert resident.household.property == new_home
    assert event.changes == [f"Margaret Okafor moved from {old_home.one_line_address} to "
                             f"{new_home.one_line_address} on 01 November 2026"]
    told = sorted(event.notices.values_list("service__lgsl", flat=True))
    assert told == [58, 279, 364, 524]  # no benefit, no subscription, no permit
    assert event.confirmation.kind == "notify.sms"
    assert event.confirmation.payload["to"] == "+447712345678"


def test_an_address_not_in_the_register_is_refused_and_nothing_is_written():
    resident = a_resident()
    with pytest.raises(LifeEventError, match="no address in the register has UPRN 999") as error:
        do_report_life_event("moving_in", resident, dt.date(2026, 11, 1), {"uprn": 999},
                             an_adviser())
    assert error.value.field == "details.uprn"
    assert not LifeEvent.objects.exists() and not OutboxMessage.objects.exists()


def test_a_change_of_name_renames_the_person():
    resident = a_resident()
    event = do_report_life_event("change_of_name", resident, dt.date(2026, 10, 3),
                                 {"family_name": "Adeyemi"}, an_adviser())
    resident.refresh_from_db()
    assert resident.full_name == "Margaret Adeyemi"
    assert event.changes == ["Name changed from Margaret Okafor to Margaret Adeyemi"]


def test_a_birth_adds_the_baby_to_the_household_and_twins_are_two_births():
    parent = a_resident()
    first = do_report_life_event("birth", parent, dt.date(2026, 11, 2),
                                 {"child_given_name": "Ada"}, an_adviser())
    second = do_report_life_event("birth", parent, dt.date(2026, 11, 2),
                                  {"child_given_name": "Ben"}, an_adviser())
    repeat = do_report_life_event("birth", parent, dt.date(2026, 11, 2),
                                  {"child_given_name": "ada"}, an_adviser())
    assert first.pk != second.pk and repeat.pk == first.pk
    babies = Person.objects.filter(household=parent.household, date_of_birth=dt.date(2026, 11, 2))
    assert sorted(b.full_name for b in babies) == ["Ada Okafor", "Ben Okafor"]


def test_a_sudden_disability_is_recorded_on_the_person():
    resident = a_resident()
    do_report_life_event("disability", resident, dt.date(2026, 9, 1), {}, an_adviser())
    resident.refresh_from_db()
    assert resident.has_disability is True


def test_turning_18_must_be_the_18th_birthday():
    young = a_resident(given_name="Tom", date_of_birth=dt.date(2008, 11, 5))
    with pytest.raises(LifeEventError, match="did not turn 18 on 06 November 2026"):
        do_report_life_event("turning_18", young, dt.date(2026, 11, 6), {}, an_adviser())
    event = do_report_life_event("turning_18", young, dt.date(2026, 11, 5), {}, an_adviser())
    assert 364 in set(event.notices.values_list("service__lgsl", flat=True))


def test_a_death_needs_an_informant_and_cannot_be_in_the_future():
    resident = a_resident()
    with pytest.raises(LifeEventError, match="a death is reported by an informant"):
        do_report_life_event("death", resident, DIED, {}, an_adviser())
    with pytest.raises(LifeEventError, match="is in the future"):
        do_report_life_event("death", resident, dt.date(2099, 1, 1), {}, an_adviser(),
                             informant=FAMILY)
    with pytest.raises(LifeEventError, match="kind 'wedding' is not one of"):
        do_report_life_event("wedding", resident, DIED, {}, an_adviser())
    assert not LifeEvent.objects.exists()


def test_an_adviser_cannot_report_for_a_resident_outside_their_councils():
    with pytest.raises(LifeEventError, match="do not act for"):
        do_report_life_event("disability", a_resident(), DIED, {}, a_babergh_adviser())
    assert a_resident(BABERGH).pk  # a Babergh resident they may


def test_with_no_email_or_mobile_no_confirmation_goes_and_the_event_says_why():
    resident = a_resident()
    do_add_phone(resident, "01449 724500")  # a landline: no text to it
    event = do_report_life_event("disability", resident, DIED, {}, an_adviser())
    assert event.confirmation is None
    assert event.confirmation_note == ("No confirmation sent: no email or mobile number for "
                                       "the resident")
    assert not OutboxMessage.objects.filter(kind__startswith="notify").exists()


def test_a_birth_reported_against_each_parent_makes_one_baby_and_one_fan_out():
    margaret, daniel = a_couple()
    teams_for_every_service("http://127.0.0.1:9/hooks")
    born = dt.date(2026, 11, 2)
    first = do_report_life_event("birth", margaret, born, {"child_given_name": "Ada"},
                                 an_adviser())
    second = do_report_life_event("birth", daniel, born, {"child_given_name": "Ada"},
                                  an_adviser())
    assert second.pk == first.pk and second.reported_now is False
    assert Person.objects.filter(household=margaret.household, given_name="Ada").count() == 1
    assert LifeEventNotice.objects.count() == first.notices.count()


def test_a_birth_of_a_child_already_in_the_household_is_refused_as_already_recorded():
    parent = a_resident()
    Person.objects.create(given_name="Ada", family_name="Okafor",
                          date_of_birth=dt.date(2026, 11, 2), household=parent.household)
    with pytest.raises(LifeEventError, match="already recorded in the household"):
        do_report_life_event("birth", parent, dt.date(2026, 11, 2),
                             {"child_given_name": "ada"}, an_adviser())
    assert not LifeEvent.objects.exists()


def test_a_disability_already_recorded_is_not_told_to_the_services_again():
    resident = a_resident()
    first = do_report_life_event("disability", resident, dt.date(2026, 9, 1), {},
                                 an_adviser())
    later = do_report_life_event("disability", resident, dt.date(2026, 10, 1), {},
                                 an_adviser())
    assert later.pk == first.pk and later.reported_now is False
    assert LifeEvent.objects.count() == 1
    flagged = a_resident(given_name="Tom")
    flagged.has_disability = True
    flagged.save(update_fields=["has_disability"])
    with pytest.raises(LifeEventError, match="already recorded as having a disability"):
        do_report_life_event("disability", flagged, dt.date(2026, 9, 1), {}, an_adviser())


def test_becoming_a_carer_while_an_earlier_carer_event_stands_is_not_told_again():
    resident = a_resident()
    first = do_report_life_event("becoming_carer", resident, dt.date(2026, 9, 1),
                                 {"cared_for": "her mother"}, an_adviser())
    later = do_report_life_event("becoming_carer", resident, dt.date(2026, 10, 1),
                                 {"cared_for": "her father"}, an_adviser())
    assert later.pk == first.pk and later.reported_now is False
    assert LifeEvent.objects.count() == 1


def test_a_deaths_informant_needs_an_email_or_phone_and_to_be_someone_the_adviser_sees():
    resident = a_resident()
    with pytest.raises(LifeEventError, match="an email or phone number") as refused:
        do_report_life_event("death", resident, DIED, {}, an_adviser(),
                             informant=Informant(name="Grace Okafor"))
    assert refused.value.field == "informant"
    in_babergh = a_resident(BABERGH, given_name="Ruth")
    with pytest.raises(LifeEventError, match="that you may see") as hidden:
        do_report_life_event("death", in_babergh, DIED, {}, a_babergh_adviser(),
                             informant=resident)  # in Mid Suffolk
    assert hidden.value.field == "informant"
    assert not LifeEvent.objects.exists()
