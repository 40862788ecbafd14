"""A resident with one record of every kind OneStop holds, made through the actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from onestop.cases.actions import do_resolve_case, do_send_feedback
from onestop.catalogue.models import Service
from onestop.contacts.actions import do_add_service, do_answer_page, do_save_notes, do_start_contact
from onestop.eligibility.actions import do_record_offer
from onestop.lifeevents.actions import Informant, do_hold_self_service_report, do_report_life_event
from onestop.people.actions import (
    do_add_email,
    do_move_person,
    do_open_person_record,
    do_record_consent,
    do_record_need,
    do_register_person,
)
from onestop.people.models import BenefitAward, Household
from onestop.staff.models import Team
from tests.cases.factories import BINS, a_back_office_officer, a_case, a_team
from tests.lifeevents.factories import receives
from tests.matching.factories import a_source_record
from tests.personas import BABERGH, MID_SUFFOLK, a_property, a_resident, an_adviser

TERMINAL = "terminal-rights"
# A key of the form limits.client_key gives: the tests need no real address behind it.
CLIENT_KEY = "0" * 64


@dataclass
class Everything:
    person: object
    partner: object
    adviser: object
    officer: object
    contact: object
    case: object


def a_resident_with_one_of_everything(*, answer: str = "", reference: str = "CT-1001"
                                      ) -> Everything:
    """Margaret Okafor of Mid Suffolk, with a record of every kind a subject access export
    lists: details, needs, consents, benefits, a service received, a household, a source
    record, a contact with an answered script and notes, a case with its history and
    feedback, a life event about her and one she reported, an offer, a self-service report
    and entries in the access log; and a former home in Babergh."""
    person = a_resident(BABERGH, phone="07712 345678", national_insurance_number="QQ123456C",
                        property=a_property(BABERGH, postcode="CO10 2AA", town="Sudbury"))
    # She moved to Mid Suffolk: Sudbury is a former home.
    do_move_person(person, Household.objects.create(property=a_property(MID_SUFFOLK)))
    do_add_email(person, "margaret@example.org", preferred=True)
    do_record_need(person, "interpreter", language="Polish")
    do_record_consent(person, "contact_by_email", given=False)
    BenefitAward.objects.create(person=person, benefit="pension_credit")
    receives(person, 530)
    partner = do_register_person(given_name="Daniel", family_name="Okafor",
                                 date_of_birth=dt.date(1955, 6, 1), household=person.household)
    a_source_record("council_tax", person=person, reference=reference)

    adviser = an_adviser()
    do_open_person_record(adviser, person)
    session = do_start_contact(adviser=adviser, channel="phone", terminal=TERMINAL,
                               person=person)
    item = do_add_service(session, Service.objects.get(lgsl=BINS), by=adviser,
                          terminal=TERMINAL)
    do_answer_page(session, item, {"q_address": str(person.household.property.uprn),
                                   "step": "which_address.0"}, by=adviser, terminal=TERMINAL)
    do_save_notes(session, answer or "Asked about the green bin too", by=adviser,
                  terminal=TERMINAL)
    do_record_offer(person, Service.objects.get(lgsl=4), "offered", by=adviser,
                    terminal=TERMINAL, reason="A child of school age and Universal Credit")

    # Cases route to the first team that handles the service: a second resident's goes
    # to the same one.
    team = (Team.objects.filter(services__lgsl=BINS, authority__slug=MID_SUFFOLK)
            .order_by("id").first() or a_team(services=(BINS,)))
    officer = a_back_office_officer(team)
    case = a_case(person=person, property=person.household.property, raised_by=adviser)
    do_resolve_case(case, officer, "The crew went back the same afternoon")
    do_send_feedback(case, officer, "Your bin was emptied this afternoon")

    do_report_life_event("disability", person, dt.date(2026, 9, 1), {}, adviser)
    do_report_life_event("change_of_name", partner, dt.date(2026, 10, 3),
                         {"given_name": "Dan"}, adviser, informant=person)
    do_hold_self_service_report("change_of_name", person, dt.date(2026, 10, 1),
                                {"family_name": "Okafor-Smith"},
                                Informant(name="Margaret Okafor"), client_key=CLIENT_KEY)
    return Everything(person, partner, adviser, officer, session.contact, case)
