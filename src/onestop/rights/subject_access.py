"""Everything OneStop holds about one resident, gathered for a subject access request.

`subject_access_record` reads the person and every record about them in a fixed number of
queries (each kind is one prefetch, never a query per row) and returns one JSON-ready dict
with stable keys: dates and times in ISO 8601 (times in UTC), choices as their stored
value beside a readable label. The readable page renders the same dict, so the two forms
cannot disagree. The format is documented in docs/subject-access.md; FORMAT_VERSION moves
when a key changes meaning or goes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from onestop.cases.models import Case, CaseEvent, Feedback
from onestop.contacts.models import Contact, ContactService
from onestop.core.models import RecordAccess
from onestop.eligibility.models import Offer
from onestop.lifeevents.models import LifeEvent, LifeEventNotice, SelfServiceReport
from onestop.matching.models import PersonChange, SourceRecord
from onestop.people.models import Consent, FormerHome, Person, ServiceReceived

FORMAT = "onestop-subject-access"
FORMAT_VERSION = 1

# The sections of the record, in the order the readable page shows them.
SECTIONS = ("person", "source_records", "index_changes", "contacts", "cases", "life_events",
            "life_events_reported", "offers", "self_service_reports", "access_log")


def _when(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value.isoformat()


def _staff(user) -> str | None:
    """A member of staff as the record names them (the resident may ask who did what)."""
    if user is None:
        return None
    return user.get_full_name() or user.username


def _service(service) -> dict[str, Any]:
    return {"lgsl": service.lgsl, "label": service.label}


# --- the queries ---------------------------------------------------------------------------


def _notices() -> Prefetch:
    return Prefetch("notices", LifeEventNotice.objects.select_related(
        "service", "authority", "team", "case").order_by("id"))


def _life_events() -> Any:
    return (LifeEvent.objects.select_related("reported_by", "informant_person")
            .prefetch_related(_notices()).order_by("reported_at", "id"))


def _people() -> Any:
    """The person with every record about them that hangs off the person row."""
    contacts = (Contact.objects.select_related("recorded_by", "work_session",
                                               "requester_property")
                .prefetch_related(Prefetch("basket", ContactService.objects.select_related(
                    "service", "dialogue_version", "case", "life_event").order_by("position")))
                .order_by("started_at", "id"))
    cases = (Case.objects.select_related("service", "authority", "team", "property",
                                         "raised_by", "councillor", "escalated_to")
             .prefetch_related(Prefetch("events", CaseEvent.objects.select_related("by")
                                        .order_by("at", "id")),
                               Prefetch("feedback", Feedback.objects.select_related("by")
                                        .order_by("at", "id")))
             .order_by("raised_at", "id"))
    return (Person.objects.select_related("household__property").prefetch_related(
        Prefetch("contact_details"), "needs", "benefits",
        Prefetch("consents", Consent.objects.select_related("recorded_by")
                 .order_by("recorded_at", "id")),
        Prefetch("services_received", ServiceReceived.objects.select_related("service")
                 .order_by("service__lgsl")),
        "household__property__authorities",
        Prefetch("household__members", Person.objects.order_by("id")),
        Prefetch("former_homes", FormerHome.objects.select_related("property")
                 .order_by("left_at", "id")),
        "former_homes__property__authorities",
        Prefetch("source_records", SourceRecord.objects.select_related(
            "first_seen", "last_seen").order_by("source", "reference")),
        Prefetch("index_changes", PersonChange.objects.order_by("at", "id")),
        Prefetch("contacts", contacts),
        Prefetch("cases", cases),
        Prefetch("life_events", _life_events()),
        Prefetch("offers", Offer.objects.select_related("service", "offered_by", "rule_version")
                 .order_by("offered_at", "id")),
    ))


def subject_access_record(person_id: int, *, produced_by: str = "",
                          now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything held about person `person_id` (Person.DoesNotExist when there is none).

    Other residents appear only as far as the record needs them (the names of the
    household, an informant's name): what is theirs alone is not the subject's to have.
    """
    person = _people().get(pk=person_id)
    reported = _life_events().filter(informant_person=person)
    reports = (SelfServiceReport.objects.filter(person=person).select_related("decided_by")
               .order_by("reported_at", "id"))
    accesses = (RecordAccess.objects.filter(person=person).select_related("user")
                .order_by("at", "id"))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "produced_at": _when(now or timezone.now()),
        "produced_by": produced_by,
        "person": _person(person),
        "source_records": [_source_record(r) for r in person.source_records.all()],
        "index_changes": [_index_change(c) for c in person.index_changes.all()],
        "contacts": [_contact(c) for c in person.contacts.all()],
        "cases": [_case(c) for c in person.cases.all()],
        "life_events": [_life_event(e) for e in person.life_events.all()],
        "life_events_reported": [_life_event(e) for e in reported],
        "offers": [_offer(o) for o in person.offers.all()],
        "self_service_reports": [_report(r) for r in reports],
        "access_log": [_access(a) for a in accesses],
    }


def section_counts(record: dict[str, Any]) -> dict[str, int]:
    """How many entries each list section holds: what the audit trail says was exported."""
    return {name: len(record[name]) for name in SECTIONS if name != "person"}


# --- each kind of record -------------------------------------------------------------------


def _person(person: Person) -> dict[str, Any]:
    home = person.household.property if person.household else None
    return {
        "id": person.pk,
        "title": person.title,
        "given_name": person.given_name,
        "middle_names": person.middle_names,
        "family_name": person.family_name,
        "date_of_birth": _when(person.date_of_birth),
        "date_of_death": _when(person.date_of_death),
        "national_insurance_number": person.national_insurance_number,
        "has_disability": person.has_disability,
        "preferred_channel": person.preferred_channel,
        "created_at": _when(person.created_at),
        "updated_at": _when(person.updated_at),
        "contact_details": [
            {"kind": d.kind, "value": d.value, "is_mobile": d.is_mobile,
             "is_preferred": d.is_preferred, "recorded_at": _when(d.created_at)}
            for d in person.contact_details.all()],
        "needs": [{"kind": n.kind, "label": n.get_kind_display(), "language": n.language}
                  for n in person.needs.all()],
        "consents": [
            {"purpose": c.purpose, "label": c.get_purpose_display(), "given": c.given,
             "recorded_at": _when(c.recorded_at), "recorded_by": _staff(c.recorded_by)}
            for c in person.consents.all()],
        "benefits": [{"benefit": b.benefit, "label": b.get_benefit_display(),
                      "since": _when(b.since)} for b in person.benefits.all()],
        "services_received": [{**_service(s.service), "since": _when(s.since),
                               "source": s.source} for s in person.services_received.all()],
        "address": _address(home),
        "former_addresses": [{**_address(f.property), "left_at": _when(f.left_at)}
                             for f in person.former_homes.all()],
        "household": [{"person_id": m.pk, "name": m.full_name}
                      for m in person.household.members.all() if m.pk != person.pk]
        if person.household else [],
    }


def _address(home) -> dict[str, Any] | None:
    if home is None:
        return None
    return {
        "uprn": home.uprn, "address_line_1": home.address_line_1,
        "address_line_2": home.address_line_2, "town": home.town, "postcode": home.postcode,
        "property_type": home.property_type, "floor": home.floor,
        "council_tax_band": home.council_tax_band, "tenure": home.tenure,
        "authorities": sorted(a.name for a in home.authorities.all()),
    }


def _source_record(record: SourceRecord) -> dict[str, Any]:
    return {
        "source": record.source, "reference": record.reference, "raw": record.raw,
        "first_seen": _when(record.first_seen.started_at),
        "first_seen_in": record.first_seen.file_name,
        "last_seen": _when(record.last_seen.started_at),
        "last_seen_in": record.last_seen.file_name,
        "retired_at": _when(record.retired_at),
    }


def _index_change(change: PersonChange) -> dict[str, Any]:
    return {"kind": change.kind, "label": change.get_kind_display(), "at": _when(change.at),
            "records": change.records, "reason": change.reason}


def _answers(item: ContactService) -> list[dict[str, Any]]:
    """The answers of one script run, each with the question as the adviser read it."""
    answers = (item.run or {}).get("answers") or {}
    try:
        questions = item.dialogue_version.parsed.questions
    except (KeyError, TypeError, ValueError):
        questions = {}  # an old version's document that no longer parses: ids alone
    return [{"question": key, "label": questions[key].label if key in questions else key,
             "answer": value} for key, value in answers.items()]


def _basket_item(item: ContactService) -> dict[str, Any]:
    return {
        "service": _service(item.service),
        "script_version": item.dialogue_version.number,
        "answers": _answers(item),
        "outcome_type": item.outcome_type, "outcome": item.outcome_title,
        "amount_pence": item.amount_pence,
        "case": item.case.reference if item.case else None,
        "life_event": item.life_event_id,
        "added_at": _when(item.added_at), "finished_at": _when(item.finished_at),
    }


def _contact(contact: Contact) -> dict[str, Any]:
    session = getattr(contact, "work_session", None)
    return {
        "id": contact.pk, "channel": contact.channel, "started_at": _when(contact.started_at),
        "ended_at": _when(contact.ended_at), "outcome": contact.outcome,
        "resolved_at_first_contact": contact.resolved_at_first_contact,
        "recorded_by": _staff(contact.recorded_by), "notes": contact.notes,
        "work_session_notes": session.notes if session else "",
        "source_reference": contact.source_reference,
        "requester": {"name": contact.requester_name, "email": contact.requester_email,
                      "phone": contact.requester_phone,
                      "address": contact.requester_property.one_line_address
                      if contact.requester_property else ""},
        "basket": [_basket_item(item) for item in contact.basket.all()],
    }


def _case(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference, "kind": case.kind, "service": _service(case.service),
        "authority": case.authority.name, "team": case.team.name, "status": case.status,
        "priority": case.priority, "title": case.title, "details": case.details,
        "address": case.property.one_line_address if case.property else "",
        "contact": case.contact_id,
        "raised_at": _when(case.raised_at), "raised_by": _staff(case.raised_by),
        "due_on": _when(case.due_on), "acknowledged_at": _when(case.acknowledged_at),
        "resolved_at": _when(case.resolved_at), "closed_at": _when(case.closed_at),
        "response": case.response,
        "escalated_at": _when(case.escalated_at), "escalated_to": _staff(case.escalated_to),
        "requester": {"name": case.requester_name, "email": case.requester_email,
                      "phone": case.requester_phone, "address": case.requester_address},
        "councillor": _staff(case.councillor), "rating": case.rating,
        "rating_comment": case.rating_comment, "rated_at": _when(case.rated_at),
        "events": [{"at": _when(e.at), "kind": e.kind, "label": e.get_kind_display(),
                    "status_from": e.status_from, "status_to": e.status_to,
                    "by": _staff(e.by), "note": e.note} for e in case.events.all()],
        "feedback": [{"at": _when(f.at), "by": _staff(f.by), "channel": f.channel,
                      "to": f.to, "message": f.message, "handed_to_notify_at":
                      _when(f.delivered_at), "notify_status": f.notify_status,
                      "notify_status_at": _when(f.notify_status_at)}
                     for f in case.feedback.all()],
    }


def _life_event(event: LifeEvent) -> dict[str, Any]:
    informant = event.informant_person
    return {
        "id": event.pk, "kind": event.kind, "label": event.get_kind_display(),
        "person_id": event.person_id,
        "occurred_on": _when(event.occurred_on), "reported_at": _when(event.reported_at),
        "channel": event.channel, "reported_by": _staff(event.reported_by),
        "details": event.details, "changes": event.changes,
        "informant": {"person_id": informant.pk if informant else None,
                      "name": informant.full_name if informant else event.informant_name,
                      "email": event.informant_email, "phone": event.informant_phone},
        "confirmation_note": event.confirmation_note,
        "notices": [{"service": _service(n.service),
                     "authority": n.authority.name if n.authority else None,
                     "team": n.team.name if n.team else None, "delivery": n.delivery,
                     "why": n.why, "changed": n.changed, "note": n.note,
                     "case": n.case.reference if n.case else None}
                    for n in event.notices.all()],
    }


def _offer(offer: Offer) -> dict[str, Any]:
    return {"service": _service(offer.service), "status": offer.status,
            "reason": offer.reason, "rule_version": offer.rule_version.number
            if offer.rule_version else None, "contact": offer.contact_id,
            "offered_at": _when(offer.offered_at), "offered_by": _staff(offer.offered_by),
            "decided_at": _when(offer.decided_at)}


def _report(report: SelfServiceReport) -> dict[str, Any]:
    return {"kind": report.kind, "label": report.get_kind_display(),
            "occurred_on": _when(report.occurred_on), "details": report.details,
            "informant": {"name": report.informant_name, "email": report.informant_email,
                          "phone": report.informant_phone},
            "reported_at": _when(report.reported_at), "status": report.status,
            "decided_by": _staff(report.decided_by), "decided_at": _when(report.decided_at),
            "life_event": report.event_id}


def _access(access: RecordAccess) -> dict[str, Any]:
    return {"at": _when(access.at), "by": _staff(access.user), "granted": access.granted,
            "purpose": access.purpose, "contact": access.contact_id,
            "subject": access.subject, "path": access.path}
