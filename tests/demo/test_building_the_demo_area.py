"""`do_build_demo_area` fills the database with a believable, reproducible demo population."""

from __future__ import annotations

import phonenumbers
import pytest
from django.utils import timezone

from onestop.cases.actions import do_raise_case
from onestop.cases.models import Case
from onestop.catalogue.models import Service
from onestop.contacts.actions import (
    do_add_service,
    do_log_contact,
    do_record_requester,
    do_start_contact,
    do_start_self_service,
)
from onestop.contacts.models import Contact
from onestop.core.actions import do_record_access
from onestop.demo.actions import demo_properties
from onestop.demo.places import PLACES_BY_DISTRICT
from onestop.matching.models import SourceRecord
from onestop.people.models import BenefitAward, ContactDetail, Household, Person, Property
from onestop.people.postcodes import normalise_postcode
from onestop.staff.models import IdCard, Role, User
from tests.demo.conftest import SMALL, TODAY
from tests.personas import a_property, a_resident

pytestmark = pytest.mark.django_db


def _slugs(prop: Property) -> set[str]:
    return {authority.slug for authority in prop.authorities.all()}


def test_a_small_build_generates_the_residents_asked_for_and_indexes_most_of_them(area):
    assert area.residents == SMALL
    # Babies, and adults no system knows about, are in no extract, so in no index.
    assert 0.6 * SMALL <= area.people == Person.objects.count() <= SMALL
    assert not Person.objects.filter(source_records__isnull=True).exists()
    districts = {slug for prop in Property.objects.prefetch_related("authorities")
                 for slug in _slugs(prop)} - {"suffolk"}
    assert districts == {"mid-suffolk", "babergh"}
    assert Household.objects.count() == area.households


def test_every_property_lies_in_its_district_and_in_suffolk(area):
    outwards = {district: {place.outward for place in places}
                for district, places in PLACES_BY_DISTRICT.items()}
    for prop in Property.objects.prefetch_related("authorities"):
        slugs = _slugs(prop)
        assert len(slugs) == 2 and "suffolk" in slugs, prop
        (district,) = slugs - {"suffolk"}
        assert prop.postcode.split(" ")[0] in outwards[district], prop
        assert normalise_postcode(prop.postcode) == prop.postcode
        assert 100_000_000_000 <= prop.uprn <= 999_999_999_999


def test_flats_and_only_flats_have_floors(area):
    flat_types = ["flat", "maisonette"]
    assert not Property.objects.exclude(property_type__in=flat_types).filter(
        floor__isnull=False).exists()
    assert not Property.objects.filter(property_type__in=flat_types, floor__isnull=True).exists()


def test_the_same_seed_gives_the_same_people_and_addresses(build):
    def snapshot():
        return sorted(Person.objects.values_list(
            "given_name", "family_name", "date_of_birth", "household__property__uprn"),
            key=repr)

    build(seed=11)
    first = snapshot()
    build(seed=11)
    assert snapshot() == first
    build(seed=12)
    assert snapshot() != first


def test_rebuilding_replaces_the_demo_without_duplicates(build):
    build()
    area = build(people=SMALL + 50)
    assert Person.objects.count() == area.people
    assert SourceRecord.objects.count() == sum(area.extract_records.values()) - area.quarantined
    assert Property.objects.count() == area.properties
    assert Property.authorities.through.objects.count() == 2 * area.properties


def test_rebuilding_keeps_residents_who_are_not_part_of_the_demo(build):
    build()
    outsider = a_resident(given_name="Ada", family_name="Outsider")
    build()
    assert Person.objects.filter(pk=outsider.pk).exists()
    assert not demo_properties().filter(pk=outsider.household.property_id).exists()


def test_rebuilding_removes_contacts_and_record_accesses_that_protect_demo_people(build):
    build()
    adviser = User.objects.get(username="adviser")
    resident = Person.objects.filter(household__property__in=demo_properties()).first()
    contact = do_log_contact(recorded_by=adviser, channel="phone", outcome="resolved",
                             services=[Service.objects.first()], person=resident,
                             started_at=timezone.now(), ended_at=timezone.now())
    do_record_access(user=adviser, person=resident, granted=True, contact=contact)
    build()
    assert not Person.objects.filter(pk=resident.pk).exists()


def test_phones_are_stored_as_typed_and_as_valid_e164(area):
    phones = ContactDetail.objects.filter(kind="phone")
    assert phones.count() > SMALL / 2
    for detail in phones:
        number = phonenumbers.parse(detail.normalised, None)
        assert phonenumbers.is_valid_number(number), detail.normalised
        assert phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164) == detail.normalised
        assert phonenumbers.parse(detail.value, "GB") == number


def test_emails_are_normalised_to_lower_case(area):
    emails = ContactDetail.objects.filter(kind="email")
    assert emails.exists()
    for detail in emails:
        assert detail.normalised == detail.value.lower()
        assert detail.normalised.split("@")[1] in {"example.com", "example.org", "example.net"}


def test_benefits_follow_the_people_who_would_receive_them(build):
    build(people=2000)
    today = TODAY
    for award in BenefitAward.objects.select_related("person").filter(
            benefit__in=["pension_credit", "attendance_allowance"]):
        assert award.person.age_on(today) >= 66, award
    for award in BenefitAward.objects.select_related("person").filter(benefit="dla"):
        assert award.person.age_on(today) < 16
    assert BenefitAward.objects.filter(benefit="child_benefit").count() > 50
    assert BenefitAward.objects.filter(benefit="universal_credit").count() > 50


def test_card_100001_belongs_to_an_adviser_acting_for_all_three_authorities(area):
    user = IdCard.objects.get(number="100001").user
    assert user.username == "adviser" and user.has_role(Role.ADVISER)
    assert {a.slug for a in user.authorities.all()} == {"suffolk", "mid-suffolk", "babergh"}
    assert IdCard.objects.get(number="100001").pin_matches("1234")


def test_card_100002_belongs_to_an_adviser_acting_for_babergh_only(area):
    card = IdCard.objects.get(number="100002")
    assert card.user.username == "babergh-adviser" and card.pin_matches("2345")
    assert [a.slug for a in card.user.authorities.all()] == ["babergh"]


def test_demo_staff_are_restored_not_duplicated_on_a_rebuild(build):
    build()
    card = IdCard.objects.get(number="100001")
    card.set_pin("9999")
    card.locked_at = timezone.now()
    card.save()
    build()
    card = IdCard.objects.get(number="100001")
    assert card.pin_matches("1234") and not card.is_locked
    assert User.objects.filter(username__in=["adviser", "team-leader", "partner"]).count() == 3
    leader = User.objects.get(username="team-leader")
    assert leader.check_password("onestop-demo") and leader.has_role(Role.TEAM_LEADER)


def test_the_partner_system_has_the_fixed_demo_token(area):
    from rest_framework.authtoken.models import Token

    token = Token.objects.get(key="demo-partner-token-000000000000000000000")
    assert token.user.username == "partner" and token.user.has_role(Role.PARTNER_SYSTEM)


def test_the_sample_properties_are_houses_in_their_districts(area):
    assert set(area.sample_properties) == {"mid-suffolk", "babergh"}
    for district, prop in area.sample_properties.items():
        assert prop.property_type == "house"
        assert _slugs(prop) == {district, "suffolk"}
        assert prop.households.get().members.exists()


def test_a_persona_property_outside_the_demo_blocks_is_not_a_demo_property(area):
    assert not demo_properties().filter(pk=a_property().pk).exists()


def test_rebuilding_removes_contacts_under_way_and_the_cases_they_raised(build):
    build()
    adviser = User.objects.get(username="adviser")
    resident = Person.objects.filter(household__property__in=demo_properties()).first()
    session = do_start_contact(adviser=adviser, channel="phone", terminal="t", person=resident)
    do_add_service(session, Service.objects.get(lgsl=524), by=adviser, terminal="t")
    home = resident.household.property
    do_raise_case(kind="referral", service=Service.objects.get(lgsl=524), property=home,
                  person=resident, title="Missed bin", sla_working_days=2, raised_by=adviser,
                  contact=session.contact)
    web = do_start_self_service(Service.objects.get(lgsl=524), channel="web", terminal="w")
    do_record_requester(web.contact.work_session, name="Dev Patel", property=home,
                        terminal="w")
    build()
    assert not Person.objects.filter(pk=resident.pk).exists()
    assert not Contact.objects.filter(pk__in=[session.contact_id, web.contact_id]).exists()
    assert not Case.objects.filter(title="Missed bin").exists()
