"""Every write about contacts goes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from onestop.cases.actions import CaseError, do_raise_case
from onestop.catalogue.models import Service
from onestop.contacts.models import Contact, ContactService, WorkSession
from onestop.contacts.running import home_of, run_context
from onestop.dialogues import engine
from onestop.dialogues.document import REFERRING_OUTCOMES
from onestop.dialogues.engine import RunState
from onestop.dialogues.queries import published_version_for
from onestop.lifeevents.actions import LifeEventError
from onestop.lifeevents.scripted import report_from_answers
from onestop.people.models import Person, Property
from onestop.people.phones import BadPhoneNumber, normalise_phone
from onestop.people.queries import can_see_person


class ContactError(ValueError):
    """A contact cannot be logged as given; `field` names the part that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@transaction.atomic
def do_log_contact(*, recorded_by, channel: str, outcome: str, services: Sequence[Service],
                   person: Person | None = None, notes: str = "",
                   started_at: dt.datetime | None = None, ended_at: dt.datetime | None = None,
                   source_reference: str = "") -> Contact:
    """Record a finished contact with the services discussed and its outcome."""
    if channel not in Contact.Channel.values:
        raise ContactError("channel", f"channel {channel!r} is not one of "
                                      f"{', '.join(Contact.Channel.values)}")
    if outcome not in Contact.Outcome.values:
        raise ContactError("outcome", f"outcome {outcome!r} is not one of "
                                      f"{', '.join(Contact.Outcome.values)}")
    if not services:
        raise ContactError("services", "choose at least one service discussed")
    if person is not None and not can_see_person(recorded_by, person):
        raise ContactError("person", "you do not act for an authority where this person lives")
    now = timezone.now()
    ended_at = ended_at or now
    started_at = started_at or ended_at
    if started_at > ended_at:
        raise ContactError("started_at", "a contact cannot start after it ends")
    if ended_at > now + dt.timedelta(minutes=5):
        raise ContactError("ended_at", "a contact cannot end in the future")
    contact = Contact.objects.create(
        person=person, recorded_by=recorded_by, channel=channel, outcome=outcome,
        resolved_at_first_contact=outcome == Contact.Outcome.RESOLVED,
        notes=notes.strip(), started_at=started_at, ended_at=ended_at,
        source_reference=source_reference)
    contact.services.set(services)
    return contact


# --- the work session: a contact under way ---------------------------------------------------

class WorkSessionError(ValueError):
    """A step in a contact cannot be taken as asked; the message says why."""


class CannotRefer(WorkSessionError):
    """A script ended in a referral that could not be routed (no team handles the service
    at that address); nothing of the step was saved."""


class CannotReport(WorkSessionError):
    """A script ended in a life event that cannot be reported as answered (a death with no
    one to confirm to, a date in the future); nothing of the step was saved."""


class ContactMoved(WorkSessionError):
    """The work session is live on another terminal; this one may only look, or claim it."""

    def __init__(self, session: WorkSession) -> None:
        self.session = session
        super().__init__(f"contact {session.contact_id} moved to another terminal at "
                         f"{timezone.localtime(session.claimed_at):%H:%M}")


def _locked(session: WorkSession, *, terminal: str, by) -> WorkSession:
    """The session, row-locked, checked to be open, owned by `by` and live on `terminal`."""
    session = (WorkSession.objects.select_for_update(of=("self",))
               .select_related("contact").get(pk=session.pk))
    if session.closed_at is not None:
        raise WorkSessionError(f"contact {session.contact_id} is already closed")
    if session.owner_id is not None and (by is None or by.pk != session.owner_id):
        raise WorkSessionError("this contact belongs to another adviser")
    if session.terminal != terminal:
        raise ContactMoved(session)
    return session


def _unfinished(session: WorkSession, item: ContactService, refusal: str) -> ContactService:
    """The basket item, row-locked, checked to belong to the session and to be under way."""
    item = (ContactService.objects.select_for_update(of=("self",)).select_related("service")
            .get(pk=item.pk, contact=session.contact))
    if item.is_finished:
        raise WorkSessionError(f"{item.service.label} {refusal}")
    return item


def _touch(session: WorkSession, *fields: str) -> None:
    session.last_step_at = timezone.now()
    session.save(update_fields=["last_step_at", *fields])


@transaction.atomic
def do_start_contact(*, adviser, channel: str, terminal: str, person: Person | None = None
                     ) -> WorkSession:
    """Open a contact with its work session on this terminal (one open per adviser)."""
    if channel not in Contact.Channel.values or channel in (Contact.Channel.WEB,
                                                            Contact.Channel.KIOSK):
        raise ContactError("channel", f"an adviser's contact is by phone, face to face, home "
                                      f"visit, email, text message or letter, not {channel!r}")
    if person is not None and not can_see_person(adviser, person):
        raise ContactError("person", "you do not act for an authority where this person lives")
    open_one = WorkSession.objects.filter(owner=adviser, closed_at__isnull=True).first()
    if open_one is not None:
        raise WorkSessionError(f"finish contact {open_one.contact_id} before starting another")
    now = timezone.now()
    try:
        with transaction.atomic():
            contact = Contact.objects.create(person=person, recorded_by=adviser,
                                             channel=channel, started_at=now)
            return WorkSession.objects.create(contact=contact, owner=adviser,
                                              terminal=terminal, claimed_at=now,
                                              last_step_at=now)
    except IntegrityError:  # another terminal opened one in the same instant
        raise WorkSessionError("finish the contact you have open before starting "
                               "another") from None


@transaction.atomic
def do_start_self_service(service: Service, *, channel: str, terminal: str) -> ContactService:
    """A resident starts a service on the web or a kiosk: an anonymous contact of its own."""
    if channel not in (Contact.Channel.WEB, Contact.Channel.KIOSK):
        raise ContactError("channel", "self-service runs on the web or a kiosk")
    now = timezone.now()
    contact = Contact.objects.create(channel=channel, started_at=now)
    session = WorkSession.objects.create(contact=contact, terminal=terminal, claimed_at=now,
                                         last_step_at=now)
    item = _add(session, service, engine_channel="kiosk" if channel == Contact.Channel.KIOSK
                else "self_service")
    session.current = item
    session.save(update_fields=["current"])
    return item


@transaction.atomic
def do_claim_work_session(session: WorkSession, *, by, terminal: str) -> WorkSession:
    """Make this terminal the live one (the card was signed in here); the old one is told."""
    session = WorkSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if session.closed_at is not None:
        raise WorkSessionError(f"contact {session.contact_id} is already closed")
    if session.owner_id is None or by is None or session.owner_id != by.pk:
        raise WorkSessionError("this contact belongs to another adviser")
    if session.terminal != terminal:
        session.terminal, session.claimed_at = terminal, timezone.now()
        session.moves += 1
        session.save(update_fields=["terminal", "claimed_at", "moves"])
    return session


def do_carry_open_contact(user, *, terminal: str) -> WorkSession | None:
    """At sign-in: the user's open contact, if any, claimed for this terminal (the card
    carries it here)."""
    session = WorkSession.objects.filter(owner=user, closed_at__isnull=True).first()
    if session is None:
        return None
    return do_claim_work_session(session, by=user, terminal=terminal)


def _add(session: WorkSession, service: Service, *, engine_channel: str) -> ContactService:
    version = published_version_for(service)
    if version is None:
        raise WorkSessionError(f"{service.label} has no published script yet: log it with "
                               f"'Log a contact' instead")
    if engine_channel not in version.document["channels"]:
        raise WorkSessionError(f"{service.label} cannot be done on this channel")
    contact = session.contact
    if contact.basket.filter(service=service).exists():
        raise WorkSessionError(f"{service.label} is already in this contact")
    position = (contact.basket.aggregate(last=Max("position"))["last"] or 0) + 1
    item = ContactService.objects.create(
        contact=contact, service=service, position=position, dialogue_version=version,
        run=RunState.begin(version.parsed).to_json())
    contact.services.add(service)
    return item


@transaction.atomic
def do_add_service(session: WorkSession, service: Service, *, by, terminal: str
                   ) -> ContactService:
    session = _locked(session, terminal=terminal, by=by)
    item = _add(session, service, engine_channel="adviser")
    session.current = item
    _touch(session, "current")
    return item


@transaction.atomic
def do_remove_service(session: WorkSession, item: ContactService, *, by, terminal: str) -> None:
    session = _locked(session, terminal=terminal, by=by)
    item = _unfinished(session, item, "is finished and stays in the record")
    if session.current_id == item.pk:
        session.current = None
    item.delete()
    session.contact.services.remove(item.service)
    _touch(session, "current")


@transaction.atomic
def do_open_service(session: WorkSession, item: ContactService, *, by, terminal: str) -> None:
    """Go to a service in the basket: where a resumed session will land."""
    session = _locked(session, terminal=terminal, by=by)
    session.current = item
    _touch(session, "current")


@transaction.atomic
def do_answer_page(session: WorkSession, item: ContactService, raw, *, by, terminal: str,
                   close_when_finished: bool = False) -> dict[str, str]:
    """Save the answers to the current page and move on; errors by question, if any.

    The run is saved on every step, so the contact can go on at another terminal. When
    the run reaches an outcome the service is finished: a referral or service request
    is raised to the back office in the same transaction."""
    session = _locked(session, terminal=terminal, by=by)
    item = (ContactService.objects.select_for_update(of=("self",))
            .select_related("contact__person__household__property", "dialogue_version",
                            "service").get(pk=item.pk, contact=session.contact))
    if item.is_finished:
        raise WorkSessionError(f"{item.service.label} is already finished")
    dialogue = item.dialogue_version.parsed
    state = RunState.from_json(item.run)
    state.check_step(raw)
    context = run_context(item, raw)
    errors = engine.submit(dialogue, state, raw, context)
    if errors:
        return errors
    item.run = state.to_json()
    fields = ["run"]
    if state.finished:
        _finish(item, dialogue, state, context, by=by)
        fields += ["outcome_type", "outcome_key", "outcome_title", "amount_pence", "case",
                   "life_event", "finished_at"]
    item.save(update_fields=fields)
    session.current = item
    _touch(session, "current")
    if state.finished and close_when_finished:  # self-service: one service per contact
        do_close_contact(session, by=by, terminal=terminal)
    return {}


@transaction.atomic
def do_go_back(session: WorkSession, item: ContactService, raw, *, by, terminal: str) -> None:
    session = _locked(session, terminal=terminal, by=by)
    item = _unfinished(session, item, "is finished; its outcome stands")
    state = RunState.from_json(item.run)
    state.check_step(raw)
    engine.go_back(state)
    item.run = state.to_json()
    item.save(update_fields=["run"])
    _touch(session)


def _finish(item: ContactService, dialogue, state: RunState, context, *, by) -> None:
    outcome = engine.outcome_of(dialogue, state)
    known = engine.facts(dialogue, state.answers, context)
    item.outcome_type, item.outcome_key = outcome.type, outcome.id
    item.outcome_title = outcome.title[:200]
    item.amount_pence = engine.amount_pence(dialogue, outcome, known)
    item.finished_at = timezone.now()
    if outcome.life_event:
        try:
            item.life_event = report_from_answers(
                outcome.life_event, state.answers, resident=item.contact.person, by=by,
                channel=item.contact.channel)
        except LifeEventError as error:
            raise CannotReport(f"cannot report it yet: {error}") from None
    if not outcome.refers:
        return
    person = item.contact.person
    try:
        item.case = do_raise_case(
            kind=outcome.type, service=item.service, property=_where(item, dialogue, state),
            person=person, title=outcome.title[:200],
            details=engine.summary(dialogue, state, context),
            sla_working_days=outcome.sla_working_days,
            priority=outcome.priority or "routine", raised_by=by, contact=item.contact,
            requester_name=item.contact.requester_name,
            requester_email=item.contact.requester_email,
            requester_phone=item.contact.requester_phone)
    except CaseError as error:  # RoutingError above all: no team handles it there
        raise CannotRefer(f"cannot refer {item.service.label}: {error}") from None


def _where(item: ContactService, dialogue, state: RunState):
    """The address the service is needed at: the answer to the question that locates it
    (the missed bin's address, not a new address a council tax payer is moving to), else
    the resident's home, else where a self-service resident said they live."""
    for question in dialogue.questions.values():
        if question.locates_service and isinstance(state.answers.get(question.id), int):
            found = Property.objects.filter(uprn=state.answers[question.id]).first()
            if found is not None:
                return found
    return home_of(item.contact.person) or item.contact.requester_property


@transaction.atomic
def do_save_notes(session: WorkSession, notes: str, *, by, terminal: str) -> None:
    session = _locked(session, terminal=terminal, by=by)
    session.notes = notes.strip()[:5000]
    _touch(session, "notes")


@transaction.atomic
def do_close_contact(session: WorkSession, *, by, terminal: str) -> Contact:
    """End the contact; its outcome rolls up from the services in the basket.

    Referred if any service was referred or raised as a service request; signposted if
    every service was; otherwise resolved. Resolved at first contact only when nothing was
    referred and not everything was signposted elsewhere."""
    session = _locked(session, terminal=terminal, by=by)
    items = list(session.contact.basket.select_related("service"))
    if not items:
        raise WorkSessionError("add at least one service before closing the contact")
    unfinished = [i.service.label for i in items if not i.is_finished]
    if unfinished:
        raise WorkSessionError(f"finish or remove {', '.join(unfinished)} first")
    contact = session.contact
    if any(i.refers for i in items):
        contact.outcome = Contact.Outcome.REFERRED
    elif all(i.outcome_type == "signposted" for i in items):
        contact.outcome = Contact.Outcome.SIGNPOSTED
    else:
        contact.outcome = Contact.Outcome.RESOLVED
    contact.resolved_at_first_contact = contact.outcome == Contact.Outcome.RESOLVED
    now = timezone.now()
    contact.ended_at, contact.notes = now, session.notes
    contact.save(update_fields=["outcome", "resolved_at_first_contact", "ended_at", "notes"])
    session.closed_at = now
    _touch(session, "closed_at")
    return contact


@transaction.atomic
def do_abandon_contact(session: WorkSession, *, by, terminal: str, wipe: bool = False
                       ) -> Contact:
    """End an unfinished contact: abandoned, or referred if a service in it was already
    referred. `wipe` also clears answers never finished (a kiosk left idle: the next
    person at it must not see them)."""
    session = _locked(session, terminal=terminal, by=by)
    contact = session.contact
    if wipe:
        for item in contact.basket.filter(finished_at__isnull=True):
            item.run = {}
            item.save(update_fields=["run"])
    now = timezone.now()
    # A referral already raised stands: the contact was referred, not abandoned.
    referred = contact.basket.filter(finished_at__isnull=False,
                                     outcome_type__in=REFERRING_OUTCOMES).exists()
    contact.outcome = Contact.Outcome.REFERRED if referred else Contact.Outcome.ABANDONED
    contact.ended_at = now
    contact.resolved_at_first_contact = False
    contact.save(update_fields=["outcome", "ended_at", "resolved_at_first_contact"])
    session.closed_at = now
    _touch(session, "closed_at")
    return contact


@transaction.atomic
def do_record_requester(session: WorkSession, *, name: str, email: str = "", phone: str = "",
                        property: Property | None, terminal: str, by=None,
                        address_required: bool = True) -> Contact:
    """Who a self-service resident (or a caller no record matches) is and where they
    live: where the council answers them and which authority's team any referral goes to.
    A caller may decline to give an address (`address_required=False`)."""
    session = _locked(session, terminal=terminal, by=by)
    if session.contact.person_id is not None:
        raise ContactError("name", "this contact is with a known resident")
    name, email, phone = name.strip(), email.strip(), phone.strip()
    if not name:
        raise ContactError("name", "Enter your full name")
    if len(name) > 160:
        raise ContactError("name", "Your name must be 160 characters or fewer")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ContactError("email", "Enter an email address in the correct format, "
                                        "like name@example.com") from None
    if phone:
        try:
            phone, _ = normalise_phone(phone)
        except BadPhoneNumber:
            raise ContactError("phone", "Enter a UK phone number, like 01449 724500") from None
    if property is None and address_required:
        raise ContactError("address", "Choose your address from the list")
    if not (email or phone or property):
        raise ContactError("phone", "Give a phone number, an email address or an address, "
                                    "so that the council can answer")
    contact = session.contact
    contact.requester_name, contact.requester_email = name, email
    contact.requester_phone, contact.requester_property = phone, property
    contact.save(update_fields=["requester_name", "requester_email", "requester_phone",
                                "requester_property"])
    _touch(session)
    return contact


@transaction.atomic
def do_keep_self_service_alive(session: WorkSession, *, terminal: str) -> None:
    """A resident is still at work on a page (the kiosk saw them type or tap)."""
    session = WorkSession.objects.select_for_update().get(pk=session.pk)
    if session.owner_id is None and session.terminal == terminal:
        _touch(session)
