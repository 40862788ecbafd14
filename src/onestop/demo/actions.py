"""Every write of the demo area: its population, its staff and its extracts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.authtoken.models import Token

from onestop.authorities.actions import do_set_up_shared_service
from onestop.authorities.models import Authority, SharedService
from onestop.cases.models import Case
from onestop.catalogue.models import Service
from onestop.contacts.models import Contact, ContactService
from onestop.core.bulk import bulk_set, chunks
from onestop.core.models import RecordAccess
from onestop.demo.extracts import DEMO_SOURCES, read_ground_truth, write_extracts
from onestop.demo.places import (
    COUNTY,
    DISTRICTS,
    SHARED_SERVICE_NAME,
    SHARED_SERVICE_SLUG,
    demo_uprn_ranges,
)
from onestop.demo.population import generate_population
from onestop.demo.specs import Population
from onestop.demo.staff import (
    DEMO_PASSWORD,
    DEMO_WEBHOOK_SECRET,
    SERVICE_OWNER,
    STAFF,
    TEAMS,
)
from onestop.dialogues.actions import do_give_unowned_dialogues_to
from onestop.eligibility.actions import do_give_unowned_rules_to
from onestop.integrations import demo_back_office
from onestop.integrations.endpoints import do_save_endpoint
from onestop.lifeevents.models import LifeEvent
from onestop.matching.actions import do_import_extract, do_link
from onestop.matching.models import (
    ExtractImport,
    LinkageRun,
    PersonChange,
    RecordPair,
    ReviewDecision,
    SourceRecord,
)
from onestop.matching.profiles import load_profile
from onestop.people.models import (
    BenefitAward,
    Consent,
    ContactDetail,
    Household,
    Need,
    Person,
    Property,
    ServiceReceived,
)
from onestop.staff.actions import (
    do_create_staff_user,
    do_create_team,
    do_issue_api_token,
    do_issue_id_card,
)
from onestop.staff.models import IdCard, Role, Team, User

# Rows per INSERT; Django lowers it further where the database allows fewer parameters.
BATCH_SIZE = 2000


class DemoError(ValueError):
    """The demo area cannot be built as asked; the message says why."""


@dataclass(frozen=True)
class DemoArea:
    shared_service: SharedService
    residents: int  # generated
    people: int  # persons the master index made of them
    households: int
    properties: int
    contact_details: int
    benefit_awards: int
    needs: int
    consents: int
    extracts_dir: Path
    quarantined: int = 0
    linkage: LinkageRun | None = None
    extract_records: dict[str, int] = field(default_factory=dict)
    # District slug → a family's house with a garden, for trying every service.
    sample_properties: dict[str, Property] = field(default_factory=dict)


def demo_properties():
    ranges = Q()
    for low, high in demo_uprn_ranges():
        ranges |= Q(uprn__range=(low, high))
    return Property.objects.filter(ranges)


def do_build_demo_area(*, people: int, seed: int, extracts_dir: Path,
                       today: dt.date | None = None) -> DemoArea:
    """Replace the demo population with a fresh one of `people` residents from `seed`.

    The population is generated first (pure computation, no lock held); then one
    transaction removes the previous demo rows, inserts the new ones in bulk, sets up the
    demo staff and writes the extracts, so a failure anywhere leaves the old demo intact.
    """
    if settings.ONESTOP_ENV == "production":
        # The demo publishes its passwords and PINs and replaces rows: never on real data.
        raise DemoError("the demo area cannot be built when ONESTOP_ENV=production")
    if people < 1:
        raise DemoError("the demo needs at least one person")
    today = today or timezone.localdate()
    population = generate_population(people, seed, today)
    with transaction.atomic():
        shared = do_set_up_shared_service(SHARED_SERVICE_SLUG, SHARED_SERVICE_NAME,
                                          [COUNTY, *DISTRICTS])
        authorities = {authority.slug: authority for authority in shared.authorities.all()}
        _remove_previous_demo()
        properties = _save_properties(population, authorities)
        do_set_up_demo_staff(authorities)
        keeper = User.objects.get(username=SERVICE_OWNER)
        do_give_unowned_dialogues_to(keeper)
        do_give_unowned_rules_to(keeper)
        records = write_extracts(population, extracts_dir)
        # The master index is built the way a council builds it: import every extract
        # through its profile, then link. Residents no system knows are not in it.
        imports = [do_import_extract(load_profile(source), extracts_dir / f"{source}.csv",
                                     today=today) for source in records]
        linkage = do_link(full=True)
        counts = _seed_what_the_contact_centre_knows(population, extracts_dir)
        _seed_services_received()
    samples = {prop.uprn: district for district, prop in population.showcase.items()}
    sample_properties = {samples[prop.uprn]: prop
                         for prop in Property.objects.filter(uprn__in=samples)}
    return DemoArea(shared_service=shared, extracts_dir=extracts_dir, extract_records=records,
                    sample_properties={d: sample_properties[d] for d in DISTRICTS},
                    residents=len(population.people), properties=properties,
                    quarantined=sum(i.quarantined for i in imports), linkage=linkage,
                    **counts)


def _remove_previous_demo() -> None:
    """Delete the demo's own rows (found by their UPRN block), children before parents.

    Cases, contacts and record accesses PROTECT a person, so they go first; only rows that
    belong to demo residents are touched, never anyone else's.
    """
    properties = demo_properties()
    records = SourceRecord.objects.filter(source__in=DEMO_SOURCES)
    residents = Person.objects.filter(Q(household__property__in=properties)
                                      | Q(source_records__in=records)).distinct()
    resident_ids = list(residents.values_list("pk", flat=True))
    # A basket item points at the case it raised, so items go before cases, cases before
    # the contacts and people they name.
    ContactService.objects.filter(contact__requester_property__in=properties).delete()
    for ids in chunks(resident_ids):
        # A life event's notices point at the cases it raised: events go first.
        LifeEvent.objects.filter(Q(person_id__in=ids) | Q(informant_person_id__in=ids)).delete()
        ContactService.objects.filter(contact__person_id__in=ids).delete()
        Case.objects.filter(person_id__in=ids).delete()
    Case.objects.filter(property__in=properties).delete()
    Contact.objects.filter(requester_property__in=properties).delete()
    for ids in chunks(resident_ids):
        for model in (RecordAccess, Contact, ContactDetail, Need, Consent, BenefitAward,
                      ServiceReceived):
            model.objects.filter(person_id__in=ids).delete()
    ReviewDecision.objects.filter(Q(left__in=records) | Q(right__in=records)).delete()
    RecordPair.objects.filter(Q(left__in=records) | Q(right__in=records)).delete()
    imports = ExtractImport.objects.filter(source__in=DEMO_SOURCES)
    records.delete()
    imports.delete()
    for ids in chunks(resident_ids):
        PersonChange.objects.filter(person_id__in=ids).delete()
        Person.objects.filter(pk__in=ids).delete()
    Household.objects.filter(property__in=properties).delete()
    Property.authorities.through.objects.filter(property__in=properties).delete()
    properties.delete()


def _save_properties(population: Population, authorities: dict[str, Authority]) -> int:
    """Bulk-insert the property register (the councils' gazetteer) of the demo area."""
    specs = population.properties
    properties = [
        Property(uprn=p.uprn, address_line_1=p.address.line_1, address_line_2=p.address.line_2,
                 town=p.address.town, postcode=p.address.postcode,
                 property_type=p.property_type, floor=p.floor,
                 council_tax_band=p.council_tax_band, tenure=p.tenure)
        for p in specs
    ]
    Property.objects.bulk_create(properties, batch_size=BATCH_SIZE)
    property_ids = {spec.uprn: row.pk for spec, row in zip(specs, properties, strict=True)}
    through = Property.authorities.through
    county = authorities[COUNTY].pk
    through.objects.bulk_create(
        [through(property_id=property_ids[spec.uprn], authority_id=authority_id)
         for spec in specs for authority_id in (authorities[spec.district].pk, county)],
        batch_size=BATCH_SIZE)
    return len(properties)


def _seed_what_the_contact_centre_knows(population: Population,
                                        extracts_dir: Path) -> dict[str, int]:
    """Phones, emails, needs and consents advisers recorded on earlier contacts.

    These come from the generator, not from any extract, so they are put on the person
    the index made of each resident's records (found through the ground truth).
    """
    person_of = resident_persons(extracts_dir)
    specs = {spec.index: spec for spec in population.people}
    details, needs, consents, updates = [], [], [], []
    for index, pk in person_of.items():
        spec = specs[index]
        details += [ContactDetail(person_id=pk, kind=ContactDetail.Kind.PHONE, value=p.value,
                                  normalised=p.e164, is_mobile=p.is_mobile,
                                  is_preferred=p.is_preferred) for p in spec.phones]
        details += [ContactDetail(person_id=pk, kind=ContactDetail.Kind.EMAIL, value=e.value,
                                  normalised=e.value.strip().lower(),
                                  is_preferred=e.is_preferred) for e in spec.emails]
        needs += [Need(person_id=pk, kind=kind, language=language)
                  for kind, language in spec.needs]
        consents += [Consent(person_id=pk, purpose=purpose, given=given, recorded_at=at)
                     for purpose, given, at in spec.consents]
        updates.append((pk, spec.has_disability, spec.preferred_channel))
    for model, rows in ((ContactDetail, details), (Need, needs), (Consent, consents)):
        model.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=model is Need)
    bulk_set(Person, ["has_disability", "preferred_channel"], updates)
    people = Person.objects.filter(source_records__source__in=DEMO_SOURCES).distinct()
    return {"people": people.count(),
            "households": Household.objects.filter(members__in=people).distinct().count(),
            "contact_details": len(details), "needs": len(needs), "consents": len(consents),
            "benefit_awards": BenefitAward.objects.filter(person__in=people).count()}


# Services a back-office extract shows a resident receives: source, LGSL, the start date's
# column and format, and which rows count (None: every row).
SERVICES_IN_EXTRACTS = (
    ("garden_waste", 530, "start_date", "%d.%m.%Y", None),
    ("parking_permits", 474, "Valid From", "%Y-%m-%d", None),
    ("council_tax", 58, "LIABLE_FROM", "%d/%m/%Y", ("SPD", "Y")),
)


def _seed_services_received() -> None:
    """What eligibility rules need to know a resident already has, read from the extracts
    the index was built from (the schools extract holds no free school meals), plus
    Housing Benefit from the benefit awards linkage made."""
    services = Service.objects.in_bulk([lgsl for _, lgsl, *_ in SERVICES_IN_EXTRACTS] + [69],
                                       field_name="lgsl")
    rows: dict[tuple[int, int], ServiceReceived] = {}
    for source, lgsl, column, layout, only in SERVICES_IN_EXTRACTS:
        records = SourceRecord.objects.filter(source=source, person__isnull=False)
        for person_id, raw in records.values_list("person_id", "raw").iterator(chunk_size=5000):
            if only and raw.get(only[0]) != only[1]:
                continue
            try:
                since = dt.datetime.strptime(raw.get(column, ""), layout).date()
            except ValueError:
                since = None
            rows.setdefault((person_id, lgsl), ServiceReceived(
                person_id=person_id, service=services[lgsl], since=since, source=source))
    awards = BenefitAward.objects.filter(benefit=BenefitAward.Benefit.HOUSING_BENEFIT,
                                         person__source_records__source__in=DEMO_SOURCES)
    for person_id, since in awards.values_list("person_id", "since").distinct():
        rows.setdefault((person_id, 69), ServiceReceived(
            person_id=person_id, service=services[69], since=since, source="benefits"))
    ServiceReceived.objects.bulk_create(rows.values(), batch_size=BATCH_SIZE,
                                        ignore_conflicts=True)


def resident_persons(extracts_dir: Path) -> dict[int, int]:
    """Generated resident → the person holding most of their records (ties: lowest id)."""
    truth = read_ground_truth(extracts_dir)
    person_of_record = {(source, reference): person for source, reference, person in
                        SourceRecord.objects.filter(source__in=DEMO_SOURCES).values_list(
                            "source", "reference", "person_id")}
    votes: dict[int, Counter] = {}
    for key, resident in truth.items():
        person = person_of_record.get(key)
        if person is not None:
            votes.setdefault(resident, Counter())[person] += 1
    return {resident: min(counter, key=lambda p: (-counter[p], p))
            for resident, counter in votes.items()}


@transaction.atomic
def do_set_up_demo_staff(authorities: dict[str, Authority]) -> list[User]:
    """Create the demo's teams and staff, or put them back as the demo describes them.

    Existing users are updated in place rather than replaced: contacts and record
    accesses PROTECT the users who made them.
    """
    wanted = {lgsl for *_, lgsls, _ in TEAMS for lgsl in lgsls}
    services = {service.lgsl: service for service in Service.objects.filter(lgsl__in=wanted)}
    if missing := sorted(wanted - services.keys()):
        raise DemoError(f"the service catalogue has no LGSL {', '.join(map(str, missing))}: "
                        "run `onestop load_reference` first")
    teams = {slug: do_create_team(slug=slug, name=name, authority=authorities[authority],
                                  services=[services[lgsl] for lgsl in lgsls])
             for slug, name, authority, lgsls, _ in TEAMS}
    # One hash for every demo password user: the password is printed on the console
    # anyway, and each PBKDF2 hash costs a noticeable fraction of a second.
    password_hash = make_password(DEMO_PASSWORD)
    users = []
    for member in STAFF:
        acts_for = [authorities[slug] for slug in member.authorities]
        member_teams = [teams[slug] for slug in member.teams]
        user = User.objects.filter(username=member.username).first()
        if user is None:
            user = do_create_staff_user(username=member.username,
                                        first_name=member.first_name,
                                        last_name=member.last_name, roles=[member.role],
                                        authorities=acts_for, teams=member_teams)
        else:
            _restore_user(user, member.first_name, member.last_name, member.role, acts_for,
                          member_teams)
        if member.uses_password:
            user.password = password_hash
            user.save(update_fields=["password"])
        if member.card:
            _issue_demo_card(user, member.card, member.pin)
        if member.api_token:
            # The token's key is its primary key: free it if another user holds it.
            Token.objects.filter(key=member.api_token).exclude(user=user).delete()
            do_issue_api_token(user, key=member.api_token)
        users.append(user)
    # Leaders are set once their accounts exist; breached cases are escalated to them.
    by_username = {user.username: user for user in users}
    for slug, name, authority, _, leader in TEAMS:
        do_create_team(slug=slug, name=name, authority=authorities[authority],
                       leader=by_username[leader])
    # Each team's back-office system takes webhooks at the demo back office.
    for slug, name, *_ in TEAMS:
        do_save_endpoint(slug=slug, name=f"{name} back-office system",
                         url=demo_back_office.team_url(slug), secret=DEMO_WEBHOOK_SECRET,
                         team=teams[slug])
    return users


def _restore_user(user: User, first_name: str, last_name: str, role: str,
                  authorities: list[Authority], teams: list[Team]) -> None:
    user.first_name, user.last_name = first_name, last_name
    user.is_active = True
    user.is_staff = role == Role.ADMINISTRATOR
    user.set_unusable_password()
    user.save(update_fields=["first_name", "last_name", "is_active", "is_staff", "password"])
    user.groups.set(Group.objects.filter(name=role))
    user.authorities.set(authorities)
    user.teams.set(teams)
    for cached in ("_role_names", "_authority_ids"):
        user.__dict__.pop(cached, None)


def _issue_demo_card(user: User, number: str, pin: str) -> IdCard:
    card = IdCard.objects.filter(number=number).first()
    if card is None:
        return do_issue_id_card(user, number=number, pin=pin)
    # Back to a working card with the demo PIN, even if someone locked it trying the demo.
    card.user = user
    card.set_pin(pin)
    card.failed_attempts, card.locked_at, card.revoked_at = 0, None, None
    card.save(update_fields=["user", "pin_hash", "failed_attempts", "locked_at", "revoked_at"])
    return card
