"""Who may see a resident, and how much of them: decided here and nowhere else.

A resident's data belongs to every authority that holds some of it:
- the authorities their home lies in (a county and a district, or a unitary);
- the authorities of their former homes (`FormerHome`): those councils still hold what
  they recorded while the resident lived there;
- the council whose system holds each of their source records (`SourceRecord.held_by`);
- the authority of each of their cases, and so of each contact that raised one (a contact
  otherwise belongs to the home the resident had then: their home or a former home).

A member of staff may see a resident when they act for at least one of these. It is never
"everyone": a resident with none of them (no address ever known, no record, no case) is
seen only by the installation's superusers, who exist only from the command line and look
after the records nobody else can reach. Staff of every role, administrators included, act
only within their authorities.

Seeing a resident is not seeing everything about them: `sections_for` says which parts of
the record each role's work needs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet

from onestop.people.models import FormerHome, Household, Person, Property
from onestop.staff.models import Role


def _belongs_to(authority_ids: Iterable[int]) -> Q:
    """People whose data belongs to at least one of `authority_ids`."""
    ids = list(authority_ids)
    # Looked up by name: cases and source records sit above people in the import order.
    case = apps.get_model("cases", "Case")
    record = apps.get_model("matching", "SourceRecord")
    # Each test is correlated on a column of the person's own row (its id, its household)
    # and so answered from indexes for each candidate a search checks. Correlating on the
    # household's property instead made PostgreSQL read every household to hash-join them
    # first: +16 ms a search at 200,000 residents (bench/RESULTS.md).
    return (Q(Exists(Household.objects.filter(pk=OuterRef("household_id"),
                                              property__authorities__in=ids)))
            | Q(Exists(FormerHome.objects.filter(person_id=OuterRef("pk"),
                                                 property__authorities__in=ids)))
            | Q(Exists(record.objects.filter(person_id=OuterRef("pk"), held_by_id__in=ids)))
            | Q(Exists(case.objects.filter(person_id=OuterRef("pk"), authority_id__in=ids))))


def visible_people(user) -> QuerySet[Person]:
    """The residents `user` may see."""
    if not (user.is_authenticated and user.is_active):
        return Person.objects.none()
    if user.is_superuser:
        return Person.objects.all()
    authority_ids = user.authority_ids()
    if not authority_ids:
        return Person.objects.none()
    return Person.objects.filter(_belongs_to(authority_ids))


def can_see_person(user, person: Person) -> bool:
    return visible_people(user).filter(pk=person.pk).exists()


def authorities_of(person: Person) -> dict[int, set[str]]:
    """Each authority `person`'s data belongs to → why (home, former home, record, case).

    The same rule as `visible_people`, spelt out for a record's page and for tests."""
    reasons: dict[int, set[str]] = defaultdict(set)
    through = Property.authorities.through.objects
    if person.household_id:
        for authority in through.filter(property__households=person.household_id) \
                .values_list("authority_id", flat=True):
            reasons[authority].add("home")
    for authority in through.filter(
            property_id__in=FormerHome.objects.filter(person=person).values("property_id")) \
            .values_list("authority_id", flat=True):
        reasons[authority].add("former home")
    record = apps.get_model("matching", "SourceRecord")
    for authority in record.objects.filter(person=person, held_by__isnull=False) \
            .values_list("held_by_id", flat=True):
        reasons[authority].add("source record")
    case = apps.get_model("cases", "Case")
    for authority in case.objects.filter(person=person).values_list("authority_id", flat=True):
        reasons[authority].add("case")
    return dict(reasons)


# --- how much of a resident each role sees -------------------------------------------------

# Roles whose work is with residents' whole records.
CASEWORK_ROLES = (Role.ADVISER, Role.TEAM_LEADER, Role.BACK_OFFICE_OFFICER, Role.ADMINISTRATOR)
# Roles that open a resident's record at all: a councillor sees a constituent's name,
# address and their own enquiries; a partner system reports for residents through the
# API; a service owner writes scripts and needs no resident.
RECORD_ROLES = (*CASEWORK_ROLES, Role.COUNCILLOR, Role.PARTNER_SYSTEM)


def may_open_records(user) -> bool:
    return user.is_superuser or user.has_role(*RECORD_ROLES)


@dataclass(frozen=True)
class RecordSections:
    """The parts of a resident's record a viewer's work needs."""

    details: bool  # date of birth, phone, email, preferred channel, needs, disability
    benefits_and_consents: bool
    household: bool  # who they live with, and the home's type, band and tenure
    source_records: bool  # the back-office systems' rows, side by side
    offers: bool  # services to offer, and providers at their address
    contacts: bool  # their recent contacts with the councils
    all_cases: bool  # every case (another team's only as service, status and dates)


WHOLE_RECORD = RecordSections(True, True, True, True, True, True, True)
# Name and address are always shown; a councillor's own enquiries are always theirs.
CONSTITUENT = RecordSections(False, False, False, False, False, False, False)


def sections_for(user) -> RecordSections:
    if user.is_superuser or user.has_role(*CASEWORK_ROLES):
        return WHOLE_RECORD
    return CONSTITUENT
