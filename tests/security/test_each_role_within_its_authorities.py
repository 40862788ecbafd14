"""Every role acts only within its authorities, administrators included, and sees of a
resident only what its work needs."""

from __future__ import annotations

import pytest
from django.test import Client

from onestop.cases.access import can_work_case
from onestop.cases.actions import do_raise_members_enquiry, do_send_feedback
from onestop.catalogue.models import Service
from onestop.core.actions import do_record_access
from onestop.core.models import RecordAccess
from onestop.people.actions import do_add_phone, do_record_consent
from onestop.people.models import BenefitAward
from onestop.staff.models import Role
from tests.cases.factories import (
    BINS,
    a_back_office_officer,
    a_case,
    a_councillor,
    a_team,
)
from tests.personas import (
    BABERGH,
    MID_SUFFOLK,
    SUFFOLK,
    a_resident,
    a_staff_member,
    an_adviser,
)

pytestmark = pytest.mark.django_db
ADULT_SOCIAL_CARE = 279
DEMENTIA_NOTE = "Daughter says her mother has dementia and forgets the door"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_of_babergh_works_only_babergh_cases_and_worklists():
    ours, theirs = a_team(BABERGH), a_team(MID_SUFFOLK)
    their_case = a_case()  # Mid Suffolk's
    admin = a_staff_member(Role.ADMINISTRATOR, acts_for=(BABERGH,))
    assert not can_work_case(admin, their_case)
    client = signed_in(admin)
    worklists = client.get("/cases/").content.decode()
    assert ours.name in worklists and theirs.name not in worklists
    assert client.get(f"/cases/teams/{ours.slug}/").status_code == 200
    assert client.get(f"/cases/teams/{theirs.slug}/").status_code == 403
    refusal = RecordAccess.objects.get(user=admin, granted=False)
    assert refusal.subject == f"slug {theirs.slug}"
    status = their_case.status
    assert client.post(f"/cases/{their_case.reference}/acknowledge/").status_code == 403
    their_case.refresh_from_db()
    assert their_case.status == status


def test_the_access_log_shows_an_administrator_only_residents_they_may_see():
    resident = a_resident(MID_SUFFOLK, given_name="Harold", family_name="Finch")
    adviser = an_adviser()
    do_record_access(user=adviser, person=resident, granted=True, purpose="view")
    ours = a_staff_member(Role.ADMINISTRATOR, acts_for=(SUFFOLK, MID_SUFFOLK))
    theirs = a_staff_member(Role.ADMINISTRATOR, acts_for=(BABERGH,))
    assert "Harold Finch" in signed_in(ours).get("/access-log/").content.decode()
    assert "Harold Finch" not in signed_in(theirs).get("/access-log/").content.decode()
    theirs.is_staff = True
    theirs.save(update_fields=["is_staff"])
    admin_page = signed_in(theirs).get("/admin/core/recordaccess/")
    assert "Harold Finch" not in admin_page.content.decode()


def test_an_officer_sees_another_teams_case_only_as_its_service_status_and_dates():
    resident = a_resident(MID_SUFFOLK)
    care = a_team(SUFFOLK, services=(ADULT_SOCIAL_CARE,))
    carer = a_back_office_officer(care)
    care_case = a_case(service=ADULT_SOCIAL_CARE, person=resident,
                       property=resident.household.property, title=DEMENTIA_NOTE)
    do_send_feedback(care_case, carer, "We have arranged a visit on Tuesday about her memory")
    waste_officer = a_back_office_officer(a_team(MID_SUFFOLK, services=(BINS,)))
    page = signed_in(waste_officer).get(f"/people/{resident.pk}/")
    assert page.status_code == 200, page.status_code
    page = page.content.decode()
    assert care_case.reference in page and care.name in page  # that it exists, and whose
    assert DEMENTIA_NOTE not in page and "her memory" not in page
    own = signed_in(carer).get(f"/people/{resident.pk}/").content.decode()
    assert DEMENTIA_NOTE in own and "her memory" in own


def test_a_councillor_sees_a_constituents_name_address_and_own_enquiries_only():
    resident = a_resident(MID_SUFFOLK, given_name="Olive", family_name="Dunn", phone="07911 123456")
    do_add_phone(resident, "01449 720000")
    do_record_consent(resident, "contact_by_email", given=False)
    BenefitAward.objects.create(person=resident, benefit="pension_credit")
    a_team(MID_SUFFOLK, services=(BINS,))
    councillor = a_councillor(acts_for=(MID_SUFFOLK,))
    mine = do_raise_members_enquiry(councillor, service=Service.objects.get(lgsl=BINS),
                                    question="Why was Olive's bin missed twice?", person=resident)
    other = do_raise_members_enquiry(a_councillor(acts_for=(MID_SUFFOLK,)),
                                     service=Service.objects.get(lgsl=BINS),
                                     question="Another member asks", person=resident)
    referral = a_case(person=resident, property=resident.household.property,
                      title="Crew to return")
    page = signed_in(councillor).get(f"/people/{resident.pk}/").content.decode()
    assert "Olive Dunn" in page and resident.household.property.address_line_1 in page
    assert mine.reference in page
    for hidden in (other.reference, referral.reference, "Pension Credit", "Consent",
                   "07911", "01449", "14 March 1958", "Source records", "Recent contacts"):
        assert hidden not in page, hidden


def test_a_service_owner_writes_scripts_and_opens_no_residents_record():
    resident = a_resident(MID_SUFFOLK)
    owner = a_staff_member(Role.SERVICE_OWNER)
    assert signed_in(owner).get(f"/people/{resident.pk}/").status_code == 403
    assert RecordAccess.objects.get(user=owner).granted is False
