"""Every write about life events: report one, update the records, tell every service once.

`do_report_life_event` is the one way in for the adviser desktop, residents' self-service
and the partner API. In one transaction it records the event, changes the person and
household records, writes one notice per affected service (a webhook in the outbox for a
team with a back-office system, a case on the team's worklist for one without) and one
confirmation to the resident, or to the informant for a death. Nothing is sent here: the
outbox worker delivers after commit. The same event reported again returns the event
already recorded and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import capfirst

from onestop.cases.actions import RoutingError, do_raise_case, route
from onestop.core.actions import do_count_anonymous_write
from onestop.core.models import AnonymousWrite
from onestop.integrations.endpoints import endpoint_for_team
from onestop.integrations.outbox import do_enqueue
from onestop.lifeevents.mapping import AffectedService, EventKind, services_for
from onestop.lifeevents.models import (
    LifeEvent,
    LifeEventNotice,
    SelfServiceReport,
)
from onestop.people.actions import do_move_person, do_register_person
from onestop.people.consent import choose_channel
from onestop.people.models import (
    BenefitAward,
    ContactDetail,
    Household,
    Person,
    Property,
    ServiceReceived,
)
from onestop.people.phones import BadPhoneNumber, normalise_phone
from onestop.people.queries import can_see_person
from onestop.staff.models import Role

# A back office with no system of its own gets the notice as a referral on its worklist,
# answered in this many working days (it only has to update its own records).
WORKLIST_SLA_WORKING_DAYS = 5
EMAIL_TEMPLATE = "life_event_confirmation_email"
SMS_TEMPLATE = "life_event_confirmation_sms"
NAME_MAX = 80
TEXT_MAX = 300


class LifeEventError(ValueError):
    """A life event cannot be reported as given; `field` names the part that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Informant:
    """Someone not (or not known to be) on our records who told us: a relative, an
    executor, a funeral director. An email or a phone number lets us confirm to them."""

    name: str
    email: str = ""
    phone: str = ""


# --- validation ------------------------------------------------------------------------------


def _text(details: dict, key: str, *, required: bool = False, limit: int = NAME_MAX) -> str:
    value = details.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise LifeEventError(f"details.{key}", f"details.{key} must be text")
    value = " ".join(value.split())
    if required and not value:
        raise LifeEventError(f"details.{key}", f"details.{key} is required for this event")
    if len(value) > limit:
        raise LifeEventError(f"details.{key}", f"details.{key} is at most {limit} characters")
    return value


def _property(details: dict) -> Property:
    uprn = details.get("uprn")
    if isinstance(uprn, str) and uprn.strip().isdecimal():
        uprn = int(uprn.strip())
    if isinstance(uprn, bool) or not isinstance(uprn, int) or not 0 < uprn < 10**12:
        raise LifeEventError("details.uprn", "details.uprn must be the UPRN of the new "
                                             "address (a whole number)")
    prop = Property.objects.filter(uprn=uprn).first()
    if prop is None:
        raise LifeEventError("details.uprn", f"no address in the register has UPRN {uprn}")
    return prop


def _clean_details(kind: str, person: Person, occurred_on: dt.date, details: dict) -> dict:
    """The details the kind needs, checked and normalised (what the event stores)."""
    if not isinstance(details, dict):
        raise LifeEventError("details", "details must be an object")
    if kind == EventKind.BIRTH:
        return {"child_given_name": _text(details, "child_given_name", required=True),
                "child_family_name": _text(details, "child_family_name")
                or person.family_name}
    if kind in (EventKind.MOVING_IN, EventKind.MOVING_WITHIN):
        prop = _property(details)
        if person.household_id and person.household.property_id == prop.pk:
            raise LifeEventError("details.uprn", f"{person.full_name} already lives at "
                                                 f"{prop.one_line_address}")
        if kind == EventKind.MOVING_WITHIN and not person.household_id:
            raise LifeEventError("person", "we have no current address for this person: "
                                           "report moving into the area instead")
        return {"uprn": prop.uprn}
    if kind == EventKind.MOVING_OUT:
        if not person.household_id:
            raise LifeEventError("person", "we have no current address for this person to "
                                           "move out of")
        return {"new_address": _text(details, "new_address", limit=TEXT_MAX)}
    if kind == EventKind.CHANGE_OF_NAME:
        given = _text(details, "given_name") or person.given_name
        family = _text(details, "family_name") or person.family_name
        if (given, family) == (person.given_name, person.family_name):
            raise LifeEventError("details.family_name", "give the new given name or family "
                                                        "name: it must differ from the "
                                                        "current one")
        return {"given_name": given, "family_name": family}
    if kind == EventKind.BECOMING_CARER:
        return {"cared_for": _text(details, "cared_for", limit=TEXT_MAX)}
    if kind == EventKind.TURNING_18:
        born = person.date_of_birth
        day_before = occurred_on - dt.timedelta(days=1)
        if born is not None and (person.age_on(occurred_on) != 18
                                 or person.age_on(day_before) == 18):
            raise LifeEventError("occurred_on", f"{person.full_name} was born on "
                                                f"{born:%d %B %Y}, so did not turn 18 on "
                                                f"{occurred_on:%d %B %Y}")
        return {}
    return {}


def _clean_informant(informant) -> Person | Informant | None:
    if informant is None or isinstance(informant, Person):
        return informant
    if not isinstance(informant, Informant):
        raise LifeEventError("informant", "informant must be a person or a name with an "
                                          "email or phone number")
    name = " ".join((informant.name or "").split())
    if not name:
        raise LifeEventError("informant.name", "give the informant's name")
    if len(name) > 160:
        raise LifeEventError("informant.name", "the informant's name is at most 160 "
                                               "characters")
    email = (informant.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise LifeEventError("informant.email",
                                 f"{email!r} is not an email address") from None
    phone = (informant.phone or "").strip()
    if phone:
        try:
            normalise_phone(phone)
        except BadPhoneNumber as error:
            raise LifeEventError("informant.phone", str(error)) from None
    return Informant(name=name, email=email, phone=phone)


def _channel(reported_by, channel: str | None) -> str:
    if channel is None:
        if reported_by is None:
            return LifeEvent.Channel.WEB
        return (LifeEvent.Channel.PARTNER if reported_by.has_role(Role.PARTNER_SYSTEM)
                else LifeEvent.Channel.PHONE)
    if channel not in LifeEvent.Channel.values:
        raise LifeEventError("channel", f"channel {channel!r} is not one of "
                                        f"{', '.join(LifeEvent.Channel.values)}")
    return channel


def dedupe_key(kind: str, person: Person, occurred_on: dt.date, details: dict) -> str:
    """One key per real-world event: the same kind, person and day. A birth is keyed on
    the household, the day and the child's name instead of the parent: one baby reported
    against each parent is one birth, and twins are two."""
    if kind == EventKind.BIRTH:
        family = (f"household-{person.household_id}" if person.household_id
                  else f"person-{person.pk}")
        # Not the family name: left blank it defaults to the reporting parent's.
        key = (f"{kind}:{family}:{occurred_on.isoformat()}:"
               f"{details['child_given_name'].casefold()}")
    else:
        key = f"{kind}:{person.pk}:{occurred_on.isoformat()}"
    return key[:200]


def _already_recorded(kind: str, person: Person, occurred_on: dt.date,
                      details: dict) -> LifeEvent | None:
    """For an event whose key is new but whose fact is already on our records: the event
    that recorded it (returned instead of a second fan-out), else LifeEventError saying
    it is already recorded; None when the event is news."""
    if kind == EventKind.BIRTH and person.household_id:
        child = Person.objects.filter(
            household_id=person.household_id, date_of_birth=occurred_on,
            given_name__iexact=details["child_given_name"]).first()
        if child is not None:
            raise LifeEventError("details.child_given_name",
                                 f"{child.full_name}, born {occurred_on:%d %B %Y}, is "
                                 f"already recorded in the household")
    if kind == EventKind.DISABILITY and person.has_disability:
        earlier = person.life_events.filter(kind=EventKind.DISABILITY).first()
        if earlier is None:
            raise LifeEventError("kind", f"{person.full_name} is already recorded as "
                                         f"having a disability")
        return earlier
    if kind == EventKind.BECOMING_CARER:
        # The earlier event is the record that they are a carer (queries.is_carer).
        return person.life_events.filter(kind=EventKind.BECOMING_CARER).first()
    return None


# --- the records -----------------------------------------------------------------------------


def _join(person: Person, prop: Property) -> Household:
    household = prop.households.order_by("id").first() or Household.objects.create(
        property=prop)
    do_move_person(person, household)
    return household


def _leave(person: Person) -> None:
    do_move_person(person, None)


def _apply(kind: str, person: Person, occurred_on: dt.date, details: dict, home) -> list[str]:
    """Change the person and household records; the changes, in plain words."""
    if kind == EventKind.DEATH:
        person.date_of_death = occurred_on
        person.save(update_fields=["date_of_death", "updated_at"])
        changes = [f"{person.full_name} recorded as having died on {occurred_on:%d %B %Y}"]
        if home is not None:
            _leave(person)
            changes.append(f"{person.full_name} removed from the household at "
                           f"{home.one_line_address}")
        return changes
    if kind == EventKind.BIRTH:
        child = do_register_person(given_name=details["child_given_name"],
                                   family_name=details["child_family_name"],
                                   date_of_birth=occurred_on, household=person.household)
        details["child"] = child.pk
        where = f" in the household at {home.one_line_address}" if home else ""
        return [f"{child.full_name}, born {occurred_on:%d %B %Y}, added{where}"]
    if kind in (EventKind.MOVING_IN, EventKind.MOVING_WITHIN):
        prop = Property.objects.get(uprn=details["uprn"])
        _join(person, prop)
        moved = f" from {home.one_line_address}" if home else ""
        return [f"{person.full_name} moved{moved} to {prop.one_line_address} on "
                f"{occurred_on:%d %B %Y}"]
    if kind == EventKind.MOVING_OUT:
        _leave(person)
        to = f" to {details['new_address']}" if details["new_address"] else ""
        return [f"{person.full_name} moved out of {home.one_line_address}{to} on "
                f"{occurred_on:%d %B %Y}"]
    if kind == EventKind.CHANGE_OF_NAME:
        before = person.full_name
        person.given_name, person.family_name = details["given_name"], details["family_name"]
        person.save(update_fields=["given_name", "family_name", "updated_at"])
        return [f"Name changed from {before} to {person.full_name}"]
    if kind == EventKind.DISABILITY:
        if person.has_disability:
            return [f"{person.full_name} already recorded as having a disability"]
        person.has_disability = True
        person.save(update_fields=["has_disability", "updated_at"])
        return [f"{person.full_name} recorded as having a disability"]
    if kind == EventKind.BECOMING_CARER:
        # No carer flag on the person: this event is the record of it (see
        # onestop.lifeevents.queries.is_carer).
        cared_for = f", caring for {details['cared_for']}" if details["cared_for"] else ""
        return [f"{person.full_name} recorded as a carer from {occurred_on:%d %B %Y}"
                f"{cared_for}"]
    if kind == EventKind.TURNING_18:
        if person.date_of_birth is None:
            born = occurred_on.replace(year=occurred_on.year - 18) if not (
                occurred_on.month == 2 and occurred_on.day == 29) else dt.date(
                occurred_on.year - 18, 3, 1)
            person.date_of_birth = born
            person.save(update_fields=["date_of_birth", "updated_at"])
            return [f"Date of birth recorded as {born:%d %B %Y}"]
        return [f"{person.full_name} turned 18 on {occurred_on:%d %B %Y}"]
    raise AssertionError(kind)


# --- who is told -----------------------------------------------------------------------------


def _household_ids(person: Person) -> list[int]:
    if not person.household_id:
        return [person.pk]
    return list(Person.objects.filter(household_id=person.household_id)
                .values_list("pk", flat=True))


def _received_lgsls(people_ids: list[int]) -> set[int]:
    """LGSLs someone in the household receives: what `people.queries.services_received`
    lists per person, here for the whole household in one query."""
    return set(ServiceReceived.objects.filter(person_id__in=people_ids)
               .values_list("service__lgsl", flat=True))


def _affected(kind: str, person: Person):
    """The (row, service) pairs of `kind` that apply to this person's household now."""
    ids = _household_ids(person)
    pairs = services_for(kind)
    received = _received_lgsls(ids) if any(r.tell == "service" for r, _ in pairs) else set()
    awards = set(BenefitAward.objects.filter(person_id__in=ids)
                 .values_list("benefit", flat=True)) if any(r.benefit for r, _ in pairs) \
        else set()
    chosen = []
    for row, service in pairs:
        if row.tell == "service" and row.lgsl not in received:
            continue
        if row.benefit and row.benefit not in awards:
            continue
        chosen.append((row, service))
    return chosen


def _payload(event: LifeEvent, person: Person, home, row: AffectedService, service, authority,
             team, changed: list[str]) -> dict[str, Any]:
    return {
        "type": "life_event",
        "event": {"id": event.pk, "kind": event.kind, "label": EventKind.labels[event.kind],
                  "occurred_on": event.occurred_on.isoformat(),
                  "reported_at": event.reported_at.isoformat(), "channel": event.channel},
        "person": {"id": person.pk, "name": person.full_name,
                   "date_of_birth": person.date_of_birth.isoformat()
                   if person.date_of_birth else None,
                   "address": home.one_line_address if home else None,
                   "uprn": home.uprn if home else None},
        "service": {"lgsl": service.lgsl, "label": service.label},
        "authority": authority.name, "team": team.slug,
        "why": row.why, "changed": changed, "details": event.details,
    }


def _notify(event: LifeEvent, person: Person, home, where, row: AffectedService, service,
            changed: list[str], reported_by) -> LifeEventNotice:
    """One service told: routed at `where`, then a webhook or a case on the worklist.

    A few queries per service (route, endpoint, enqueue: the interfaces are per message);
    an event touches at most a dozen services.
    """
    try:
        authority, team = route(service, where, reported_by if where is None else None)
    except RoutingError as error:
        return LifeEventNotice.objects.create(
            event=event, service=service, delivery=LifeEventNotice.Delivery.NOT_ROUTED,
            why=row.why, changed=changed, note=str(error)[:300])
    endpoint = endpoint_for_team(team)
    if endpoint is not None:
        message = do_enqueue(kind="webhook", key=f"life-event:{event.pk}:{service.lgsl}",
                             endpoint=endpoint,
                             payload=_payload(event, person, home, row, service, authority,
                                              team, changed))
        return LifeEventNotice.objects.create(
            event=event, service=service, authority=authority, team=team,
            delivery=LifeEventNotice.Delivery.WEBHOOK, outbox_message=message, why=row.why,
            changed=changed)
    label = EventKind.labels[event.kind]
    case = do_raise_case(
        kind="referral", service=service, property=where, person=person,
        title=f"Life event: {label.lower()} ({person.full_name}, "
              f"{event.occurred_on:%d %b %Y})"[:200],
        details=[("What happened", f"{label} on {event.occurred_on:%d %B %Y}"),
                 ("Why this service is told", row.why),
                 *(("What changed", change) for change in changed)],
        sla_working_days=WORKLIST_SLA_WORKING_DAYS, raised_by=reported_by)
    return LifeEventNotice.objects.create(
        event=event, service=service, authority=authority, team=team,
        delivery=LifeEventNotice.Delivery.WORKLIST, case=case, why=row.why, changed=changed)


# --- the confirmation ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Recipient:
    """Whom the confirmation goes to and how; `note` says why when consent ruled a channel
    out, `person` is whose consent the worker checks again (None: not on our records)."""

    channel: str = ""
    to: str = ""
    name: str = ""
    note: str = ""
    person: Person | None = None


def _best(person: Person, who: str) -> _Recipient:
    """Email if we hold one, else a mobile for SMS, the preferred of the two first; never
    a channel the person said no to (onestop.people.consent)."""
    details = sorted(person.contact_details.all(), key=lambda d: (not d.is_preferred, -d.pk))
    email = next((d.normalised for d in details if d.kind == ContactDetail.Kind.EMAIL), "")
    mobile = next((d.normalised for d in details
                   if d.kind == ContactDetail.Kind.PHONE and d.is_mobile), "")
    choice = choose_channel(person, {"email": email, "sms": mobile}, ["email", "sms"])
    return _Recipient(choice.channel, choice.to, person.full_name, choice.note(who), person)


def _recipient(event: LifeEvent, person: Person, informant,
               confirm_to_informant: bool) -> _Recipient:
    """The informant for a death, otherwise the resident."""
    if event.kind == EventKind.DEATH:
        if not confirm_to_informant:
            return _Recipient()
        if isinstance(informant, Person):
            return _best(informant, "the informant")
        if isinstance(informant, Informant):
            # Not on our records: they gave these details to hear back on.
            if informant.email:
                return _Recipient("email", informant.email, informant.name)
            if informant.phone:
                e164, is_mobile = normalise_phone(informant.phone)
                if is_mobile:
                    return _Recipient("sms", e164, informant.name)
            return _Recipient(name=informant.name)
        return _Recipient()
    return _best(person, "the resident")


def _done_lines(changes: list[str], notices: list[LifeEventNotice]) -> list[str]:
    lines = list(changes)
    for notice in notices:
        if notice.delivery == LifeEventNotice.Delivery.NOT_ROUTED:
            lines.append(f"{notice.service.label}: we could not pass this on; please "
                         "contact the service yourself")
        else:
            lines.append(f"{notice.service.label} ({notice.authority.name}) told: "
                         f"{notice.why}")
    return lines


def _confirm(event: LifeEvent, person: Person, informant, notices,
             confirm_to_informant: bool) -> None:
    recipient = _recipient(event, person, informant, confirm_to_informant)
    channel, to, name = recipient.channel, recipient.to, recipient.name
    if not to:
        if event.kind == EventKind.DEATH and not confirm_to_informant:
            event.confirmation_note = ("No confirmation sent: the informant's details were "
                                       "typed on the self-service page; an adviser "
                                       "contacts them")
            return
        who = "the informant" if event.kind == EventKind.DEATH else "the resident"
        if recipient.note:  # every email or mobile held is one they said no to
            refused = recipient.note.removesuffix("; nothing sent")
            event.confirmation_note = (f"No confirmation sent: {refused}; tell {who} by "
                                       f"phone or letter")[:200]
            return
        event.confirmation_note = f"No confirmation sent: no email or mobile number for {who}"
        return
    event.confirmation_note = capfirst(recipient.note)[:200]
    lines = _done_lines(event.changes, notices)
    personalisation = {
        "name": name, "event": EventKind.labels[event.kind],
        "occurred_on": f"{event.occurred_on:%d %B %Y}", "person": person.full_name,
        "reference": f"LE-{event.pk:06d}", "count": len(notices),
        "done": "\n".join(f"* {line}" for line in lines),
    }
    # Sent for the councils told; its dead letter is for the first one's administrators.
    authority = next((notice.authority for notice in notices if notice.authority_id), None)
    event.confirmation = do_enqueue(
        kind=f"notify.{channel}", key=f"life-event:{event.pk}:confirmation",
        authority=authority, payload={
            "to": to, "template": EMAIL_TEMPLATE if channel == "email" else SMS_TEMPLATE,
            "personalisation": personalisation, "reference": f"life-event:{event.pk}",
            # The worker asks again before sending: a "no" given meanwhile stops it.
            **({"consent_of": recipient.person.pk} if recipient.person else {})})


# --- the action ------------------------------------------------------------------------------


@transaction.atomic
def do_report_life_event(kind: str, person: Person, occurred_on: dt.date, details=None,
                         reported_by=None, *, informant: Person | Informant | None = None,
                         channel: str | None = None,
                         reported_at: dt.datetime | None = None,
                         confirm_to_informant: bool = True) -> LifeEvent:
    """Record a life event and tell every affected service once (see the module doc).

    `reported_by` is the adviser or partner system's user; None for a resident's own
    report. Returns the event; `event.reported_now` is False when it had been reported
    already (nothing was written this time). LifeEventError names what is wrong; nothing
    is written then. `confirm_to_informant=False` sends a death's confirmation to no one:
    for contact details nobody has checked (a self-service report).
    """
    if kind not in EventKind.values:
        raise LifeEventError("kind", f"kind {kind!r} is not one of "
                                     f"{', '.join(EventKind.values)}")
    if not isinstance(person, Person) or person.pk is None:
        raise LifeEventError("person", "person must be a resident on our records")
    if not isinstance(occurred_on, dt.date) or isinstance(occurred_on, dt.datetime):
        raise LifeEventError("occurred_on", "occurred_on must be a date")
    today = timezone.localdate()
    if occurred_on > today:
        raise LifeEventError("occurred_on", f"{occurred_on:%d %B %Y} is in the future")
    channel = _channel(reported_by, channel)
    if (reported_by is not None and not reported_by.has_role(Role.PARTNER_SYSTEM)
            and not can_see_person(reported_by, person)):
        raise LifeEventError("person", "you do not act for an authority where this person "
                                       "lives")
    informant = _clean_informant(informant)
    if kind == EventKind.DEATH and (informant is None or (
            isinstance(informant, Informant) and not (informant.email or informant.phone))):
        raise LifeEventError("informant", "a death is reported by an informant: give their "
                                          "name and an email or phone number")
    if (isinstance(informant, Person) and reported_by is not None
            and not can_see_person(reported_by, informant)):
        # The same words whether or not the person exists: the id tells nothing.
        raise LifeEventError("informant", f"informant: no person with id {informant.pk} "
                                          f"that you may see")
    # Lock the person: two reports at once of events for one person queue here.
    person = (Person.objects.select_for_update(of=("self",))
              .select_related("household__property").get(pk=person.pk))
    details = details if details is not None else {}
    if not isinstance(details, dict):
        raise LifeEventError("details", "details must be an object")
    if kind == EventKind.BIRTH:
        named = _clean_details(kind, person, occurred_on, details)  # the key needs the name
        key = dedupe_key(kind, person, occurred_on, named)
    else:
        key = dedupe_key(kind, person, occurred_on, {})
    existing = LifeEvent.objects.filter(dedupe_key=key).first()
    if existing is not None:
        existing.reported_now = False
        return existing
    if person.date_of_death is not None:
        raise LifeEventError("person", f"{person.full_name} died on "
                                       f"{person.date_of_death:%d %B %Y}")
    if person.date_of_birth and occurred_on < person.date_of_birth:
        raise LifeEventError("occurred_on", f"{occurred_on:%d %B %Y} is before "
                                            f"{person.full_name} was born")
    clean = _clean_details(kind, person, occurred_on, details)
    existing = _already_recorded(kind, person, occurred_on, clean)
    if existing is not None:
        existing.reported_now = False
        return existing
    home = person.household.property if person.household_id else None
    affected = _affected(kind, person)  # before the change: the household as it was
    try:
        with transaction.atomic():
            event = LifeEvent.objects.create(
                kind=kind, person=person, occurred_on=occurred_on,
                reported_at=reported_at or timezone.now(), reported_by=reported_by,
                channel=channel, details=clean, dedupe_key=key,
                informant_person=informant if isinstance(informant, Person) else None,
                informant_name=informant.name if isinstance(informant, Informant) else "",
                informant_email=informant.email if isinstance(informant, Informant) else "",
                informant_phone=informant.phone if isinstance(informant, Informant) else "")
    except IntegrityError:
        # The same event, reported at the same moment by someone else, won the race.
        existing = LifeEvent.objects.get(dedupe_key=key)
        existing.reported_now = False
        return existing
    event.changes = _apply(kind, person, occurred_on, event.details, home)
    # The old address decides who is told of a death or a move away; the new one of a move.
    where = home
    if kind in (EventKind.MOVING_IN, EventKind.MOVING_WITHIN):
        where = person.household.property
    notices = [_notify(event, person, home, where, row, service, event.changes, reported_by)
               for row, service in affected]
    _confirm(event, person, informant, notices, confirm_to_informant)
    event.save(update_fields=["details", "changes", "confirmation", "confirmation_note"])
    event.reported_now = True
    return event


# --- self-service reports --------------------------------------------------------------------


@transaction.atomic
def do_hold_self_service_report(kind: str, person: Person | None, occurred_on: dt.date,
                                details: dict, informant: Informant | None, *,
                                client_key: str, now: dt.datetime | None = None
                                ) -> SelfServiceReport | None:
    """Hold a report from the self-service page for an adviser to check; nothing changes
    and nothing is sent. Anyone can fill in that page, so a report is only a claim until
    an adviser confirms it. The same claim already waiting is not held twice (None); nor
    is one that matched nobody (`person` None).

    Every report counts against the page's limits first, matched or not, so that the limit
    tells a stranger no more than the page does: `client_key` (core.limits.client_key)
    stands for the sender. Over a limit, TooManyWrites, and nothing is written."""
    now = now or timezone.now()
    do_count_anonymous_write(AnonymousWrite.Kind.LIFE_EVENT_REPORT, client_key, now=now)
    if person is None:
        return None
    waiting = SelfServiceReport.objects.filter(
        person=person, kind=kind, occurred_on=occurred_on,
        status=SelfServiceReport.Status.REPORTED).exists()
    if waiting:
        return None
    return SelfServiceReport.objects.create(
        person=person, kind=kind, occurred_on=occurred_on, details=details or {},
        informant_name=informant.name if informant else "",
        informant_email=informant.email if informant else "",
        informant_phone=informant.phone if informant else "",
        reported_at=now)


def _waiting(report: SelfServiceReport) -> SelfServiceReport:
    report = SelfServiceReport.objects.select_for_update().get(pk=report.pk)
    if report.status != SelfServiceReport.Status.REPORTED:
        raise LifeEventError("report", f"this report is already "
                                       f"{report.get_status_display().lower()}")
    return report


@transaction.atomic
def do_confirm_self_service_report(report: SelfServiceReport, adviser) -> LifeEvent:
    """An adviser has checked a self-service report with the resident (or the informant):
    report the life event as usual, with every service told. A death's confirmation goes
    to no one: the informant's details were typed by whoever filled in the page, and are
    for the adviser to use, not for sending our records to."""
    report = _waiting(report)
    informant = (Informant(name=report.informant_name, email=report.informant_email,
                           phone=report.informant_phone)
                 if report.informant_name.strip() else None)
    event = do_report_life_event(report.kind, report.person, report.occurred_on,
                                 dict(report.details), adviser, informant=informant,
                                 channel=LifeEvent.Channel.WEB,
                                 reported_at=report.reported_at, confirm_to_informant=False)
    report.confirm(adviser, event)
    return event


@transaction.atomic
def do_drop_self_service_report(report: SelfServiceReport, adviser) -> SelfServiceReport:
    """An adviser found the report untrue or could not check it: nothing is changed."""
    report = _waiting(report)
    report.drop(adviser)
    return report
