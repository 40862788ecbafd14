"""Every write about cases: raising, routing, working, escalating, feedback and ratings.

A case is routed to the team of its providing authority that handles its service; the
officers of that team, its leader and administrators work it. Each action is atomic: a
refused action writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onestop.authorities.models import Authority
from onestop.authorities.responsibility import NoProvider, providing_authority
from onestop.cases.access import CaseAccessDenied, can_work_case, check_may_work
from onestop.cases.models import Case, CaseEvent, CaseTransitionError, Feedback, NotifyStatus
from onestop.core.actions import do_record_access
from onestop.core.workingdays import MAX_WORKING_DAYS, due_date
from onestop.integrations.outbox import do_enqueue
from onestop.people.consent import choose_channel
from onestop.people.models import ContactDetail, Person
from onestop.people.phones import BadPhoneNumber, normalise_phone
from onestop.people.queries import can_see_person
from onestop.staff.models import Role, Team

__all__ = ["CaseAccessDenied", "CaseError", "CaseTransitionError", "RoutingError",
           "can_work_case", "do_acknowledge_case", "do_close_case", "do_escalate_breaches",
           "do_mark_feedback_delivered", "do_raise_case", "do_raise_members_enquiry",
           "do_rate_enquiry", "do_record_notify_receipt", "do_reopen_case",
           "do_resolve_case", "do_send_feedback", "do_start_case", "feedback_id_from_reference",
           "route"]

TITLE_MAX = 200
log = logging.getLogger(__name__)


class CaseError(ValueError):
    """A case cannot be raised or changed as asked; the message says why."""


class RoutingError(CaseError):
    """No team can take the case: no authority provides the service there, or the
    providing authority has no team that handles it."""


# --- routing -------------------------------------------------------------------------------


def _service_name(service) -> str:
    return f"{service.label} (LGSL {service.lgsl})"


def _authority_by_raiser(service, raised_by) -> Authority:
    """The providing authority among the areas a user acts for, when there is one only.

    Each authority the user acts for is read as an area with its parent county, so a
    councillor acting for a district alone still routes a county service to the county.
    """
    if raised_by is None:
        raise RoutingError(f"cannot route {_service_name(service)}: no address and no "
                           "raising user to route by")
    found: dict[int, Authority] = {}
    for authority in raised_by.authorities.select_related("parent"):
        area = [authority] + ([authority.parent] if authority.parent else [])
        try:
            provider = providing_authority(service.providing_tier, area)
        except NoProvider:
            continue
        found[provider.pk] = provider
    if len(found) != 1:
        names = ", ".join(sorted(a.name for a in found.values())) or "none of them"
        raise RoutingError(f"cannot route {_service_name(service)} without an address: "
                           f"{raised_by.username} acts for authorities where it is provided "
                           f"by {names}; give the address")
    return next(iter(found.values()))


def route(service, property=None, raised_by=None) -> tuple[Authority, Team]:
    """The authority that provides `service` at `property` and its team that handles it.

    With no property, the raising user's authorities decide if they give exactly one.
    """
    if property is not None:
        try:
            authority = providing_authority(service.providing_tier, property.authorities.all())
        except NoProvider as error:
            raise RoutingError(f"no authority provides {_service_name(service)} at "
                               f"{property.one_line_address}: {error}") from None
    else:
        authority = _authority_by_raiser(service, raised_by)
    # Lowest id first, so that two teams set up for one service route the same way always.
    team = (Team.objects.filter(authority=authority, services=service)
            .select_related("leader").order_by("id").first())
    if team is None:
        raise RoutingError(f"{authority.name} has no team that handles "
                           f"{_service_name(service)}")
    return authority, team


# --- raising -------------------------------------------------------------------------------


def _clean_details(details: Iterable[Sequence[str]]) -> list[list[str]]:
    cleaned = []
    for number, pair in enumerate(details or (), start=1):
        if isinstance(pair, str) or len(pair) != 2:
            raise CaseError(f"detail {number} must be a (question, answer) pair, got {pair!r}")
        question, answer = pair
        if not isinstance(question, str) or not isinstance(answer, str):
            raise CaseError(f"detail {number}: question and answer must be text")
        cleaned.append([question.strip(), answer.strip()])
    return cleaned


@transaction.atomic
def _raise(*, kind: str, service, property, person, title: str, details, sla_working_days: int,
           priority: str, raised_by, contact, requester_name: str, requester_email: str,
           requester_phone: str, requester_address: str = "", raised_at: dt.datetime | None,
           councillor=None, acknowledge_working_days: int | None = None) -> Case:
    if priority not in Case.Priority.values:
        raise CaseError(f"priority {priority!r} is not one of {', '.join(Case.Priority.values)}")
    title = (title or "").strip()
    if not title:
        raise CaseError("a case needs a title")
    if len(title) > TITLE_MAX:
        raise CaseError(f"a case title is at most {TITLE_MAX} characters; this one has "
                        f"{len(title)}")
    if (isinstance(sla_working_days, bool) or not isinstance(sla_working_days, int)
            or not 0 <= sla_working_days <= MAX_WORKING_DAYS):
        raise CaseError(f"sla_working_days must be a whole number from 0 to "
                        f"{MAX_WORKING_DAYS}, got {sla_working_days!r}")
    raised_at = raised_at or timezone.now()
    if timezone.is_naive(raised_at):
        raise CaseError("raised_at must be a timezone-aware date and time")
    cleaned = _clean_details(details)
    if property is None and person is not None and person.household_id:
        # The resident's home is where a service is needed unless the caller said otherwise.
        property = person.household.property
    authority, team = route(service, property, raised_by)
    case = Case.objects.create(
        kind=kind, service=service, authority=authority, team=team, person=person,
        property=property, contact=contact, title=title, details=cleaned, priority=priority,
        raised_at=raised_at, raised_by=raised_by, sla_working_days=sla_working_days,
        due_on=due_date(raised_at, sla_working_days),
        acknowledge_due_on=(due_date(raised_at, acknowledge_working_days)
                            if acknowledge_working_days is not None else None),
        requester_name=requester_name.strip(), requester_email=requester_email.strip(),
        requester_phone=requester_phone.strip(), requester_address=requester_address.strip(),
        councillor=councillor)
    case.reference = f"C-{case.pk:06d}"
    case.save(update_fields=["reference"])
    CaseEvent.objects.create(case=case, at=raised_at, by=raised_by, kind=CaseEvent.Kind.RAISED,
                             status_to=case.status,
                             note=f"routed to {team.name} ({authority.name})")
    return case


@transaction.atomic
def do_raise_case(*, kind: str, service, property=None, person=None, title: str,
                  details: Iterable[Sequence[str]] = (), sla_working_days: int,
                  priority: str = Case.Priority.ROUTINE, raised_by=None, contact=None,
                  requester_name: str = "", requester_email: str = "",
                  requester_phone: str = "", raised_at: dt.datetime | None = None) -> Case:
    """Raise a referral or service request and route it to the team that handles it.

    Runs inside the caller's transaction. Raises RoutingError (nothing written) when no
    team can be found, CaseError for any other bad input.
    """
    if kind not in (Case.Kind.REFERRAL, Case.Kind.SERVICE_REQUEST):
        raise CaseError(f"kind must be referral or service_request, got {kind!r}")
    return _raise(kind=kind, service=service, property=property, person=person, title=title,
                  details=details, sla_working_days=sla_working_days, priority=priority,
                  raised_by=raised_by, contact=contact, requester_name=requester_name,
                  requester_email=requester_email, requester_phone=requester_phone,
                  raised_at=raised_at)


@transaction.atomic
def do_raise_members_enquiry(councillor, *, service, question: str, person: Person | None = None,
                             property=None, constituent_name: str = "",
                             constituent_address: str = "",
                             raised_at: dt.datetime | None = None) -> Case:
    """A councillor's enquiry on a constituent's behalf, routed like a referral.

    The constituent is a person the councillor may see, or a property, or a name and
    address typed in. The clocks to acknowledge and to answer come from the settings
    MEMBERS_ENQUIRY_ACKNOWLEDGE_WORKING_DAYS and MEMBERS_ENQUIRY_RESPONSE_WORKING_DAYS.
    """
    if not councillor.has_role(Role.COUNCILLOR):
        raise CaseAccessDenied("only a councillor can raise a members' enquiry")
    question = (question or "").strip()
    if not question:
        raise CaseError("enter the constituent's question")
    constituent_name = constituent_name.strip()
    constituent_address = constituent_address.strip()
    if person is not None:
        if not can_see_person(councillor, person):
            raise CaseAccessDenied("this resident is outside the authorities you act for")
        constituent_name = constituent_name or person.full_name
    elif property is None and not (constituent_name and constituent_address):
        raise CaseError("give the constituent: choose a resident, or enter their name and "
                        "address")
    if not constituent_name:
        raise CaseError("enter the constituent's name")
    first_line = question.splitlines()[0]
    title = first_line if len(first_line) <= 100 else first_line[:99].rstrip() + "…"
    return _raise(kind=Case.Kind.MEMBERS_ENQUIRY, service=service, property=property,
                  person=person, title=title, details=[("Question", question)],
                  sla_working_days=settings.MEMBERS_ENQUIRY_RESPONSE_WORKING_DAYS,
                  priority=Case.Priority.ROUTINE, raised_by=councillor, contact=None,
                  requester_name=constituent_name, requester_email="", requester_phone="",
                  requester_address=constituent_address, raised_at=raised_at,
                  councillor=councillor,
                  acknowledge_working_days=settings.MEMBERS_ENQUIRY_ACKNOWLEDGE_WORKING_DAYS)


# --- working a case ------------------------------------------------------------------------


@transaction.atomic
def do_acknowledge_case(case: Case, by) -> Case:
    check_may_work(by, case)
    case.acknowledge(by)
    return case


@transaction.atomic
def do_start_case(case: Case, by) -> Case:
    check_may_work(by, case)
    case.start(by)
    return case


@transaction.atomic
def do_resolve_case(case: Case, by, response: str) -> Case:
    """Resolve with the answer given; the answer also goes back to the requester as
    feedback."""
    check_may_work(by, case)
    case.resolve(by, response)
    _store_feedback(case, by, case.response, at=case.resolved_at)
    return case


@transaction.atomic
def do_close_case(case: Case, by) -> Case:
    check_may_work(by, case)
    case.close(by)
    return case


@transaction.atomic
def do_reopen_case(case: Case, by, reason: str) -> Case:
    check_may_work(by, case)
    case.reopen(by, reason)
    return case


# --- escalation ----------------------------------------------------------------------------


@transaction.atomic
def do_escalate_breaches(today: dt.date | None = None) -> list[Case]:
    """Escalate every open case past its due date that is not escalated yet to its team's
    leader. Running it again the same day escalates nothing more. A breach marked while
    its team had no leader goes to the leader once the team has one."""
    today = today or timezone.localdate()
    now = timezone.now()
    not_yet = Q(escalated_at__isnull=True) | Q(escalated_to__isnull=True,
                                               team__leader__isnull=False)
    cases = list(Case.objects.select_for_update(of=("self",))
                 .select_related("team__leader")
                 .filter(not_yet, status__in=Case.OPEN_STATUSES, due_on__lt=today)
                 .order_by("team__name", "due_on", "id"))
    events = []
    for case in cases:
        leader = case.team.leader
        case.escalated_at, case.escalated_to = now, leader
        due = f"due on {case.due_on.day} {case.due_on:%B %Y}"
        note = (f"{due}; escalated to {leader.get_full_name() or leader.username}" if leader
                else f"{due}; {case.team.name} has no leader to escalate to")
        events.append(CaseEvent(case=case, at=now, by=None, kind=CaseEvent.Kind.ESCALATED,
                                status_from=case.status, status_to=case.status, note=note))
    Case.objects.bulk_update(cases, ["escalated_at", "escalated_to"], batch_size=500)
    CaseEvent.objects.bulk_create(events, batch_size=500)
    return cases


# --- feedback ------------------------------------------------------------------------------


def _best_detail(person: Person, kind: str, *, mobile: bool | None = None) -> str:
    details = [d for d in person.contact_details.all() if d.kind == kind
               and (mobile is None or d.is_mobile == mobile)]
    details.sort(key=lambda d: (not d.is_preferred, -d.pk))
    return details[0].value if details else ""


def _postal_address(case: Case) -> str:
    person = case.person
    if person is not None and person.household_id:
        return person.household.property.one_line_address
    if case.property is not None:
        return case.property.one_line_address
    return case.requester_address


class FeedbackRoute(NamedTuple):
    """Where feedback goes, and `note`: why, when the resident's consent ruled out the
    channel it would otherwise have gone by ("" when it did not)."""

    channel: str
    to: str
    note: str = ""


def feedback_route(case: Case) -> FeedbackRoute:
    """The channel and address feedback on `case` goes to.

    A members' enquiry is answered to the councillor who raised it. Otherwise: the
    person's preferred channel when we hold an address for it, else email if an email is
    known, else a text to a mobile, else a call, else a letter; never by email or text
    when the resident's latest answer says no to it (onestop.people.consent), the next
    allowed channel then, and the note says so.
    """
    Channel = Feedback.Channel
    if case.kind == Case.Kind.MEMBERS_ENQUIRY and case.councillor is not None:
        if case.councillor.email:
            return FeedbackRoute(Channel.EMAIL, case.councillor.email)
        return FeedbackRoute(Channel.LETTER, "")
    person = case.person
    email = mobile = phone = ""
    if person is not None:
        email = _best_detail(person, ContactDetail.Kind.EMAIL)
        mobile = _best_detail(person, ContactDetail.Kind.PHONE, mobile=True)
        phone = _best_detail(person, ContactDetail.Kind.PHONE, mobile=False)
    known = {Channel.EMAIL: email or case.requester_email, Channel.SMS: mobile,
             Channel.PHONE: phone or case.requester_phone or mobile,
             Channel.LETTER: _postal_address(case)}
    choice = choose_channel(person, known, [Channel.EMAIL, Channel.SMS, Channel.PHONE,
                                            Channel.LETTER])
    if not choice.channel:  # nothing known: a letter, for the team to find an address
        return FeedbackRoute(Channel.LETTER, "", choice.note())
    return FeedbackRoute(choice.channel, choice.to, choice.note())


# Feedback by email or text goes out through GOV.UK Notify with these templates; a call
# or a letter is the team's to make by hand.
FEEDBACK_TEMPLATES = {Feedback.Channel.EMAIL: "case_feedback_email",
                      Feedback.Channel.SMS: "case_feedback_sms"}


def _enqueue_feedback(case: Case, feedback: Feedback) -> None:
    """Put email or text feedback in the outbox, in the caller's transaction: it goes once
    the feedback commits, and only then. The worker marks it delivered."""
    template = FEEDBACK_TEMPLATES.get(feedback.channel)
    if template is None or not feedback.to:
        return
    to = feedback.to
    if feedback.channel == Feedback.Channel.SMS:
        try:
            to, _ = normalise_phone(to)  # the outbox carries E.164
        except BadPhoneNumber:
            pass  # sent as held: Notify's refusal names the number on the dead letter
    reference = f"feedback:{feedback.pk}"
    do_enqueue(kind=f"notify.{feedback.channel}", key=reference, authority=case.authority,
               payload={
        "to": to, "template": template, "reference": reference,
        "personalisation": {"case_reference": case.reference, "message": feedback.message,
                            "service": case.service.label},
        # Whose consent the worker checks again before sending: a "no" given while the
        # message waited stops it (a councillor's answer needs none).
        **({"consent_of": case.person_id} if case.person_id and
           case.kind != Case.Kind.MEMBERS_ENQUIRY else {}),
    })


def _store_feedback(case: Case, by, message: str, *, at: dt.datetime | None = None) -> Feedback:
    channel, to, consent_note = feedback_route(case)
    at = at or timezone.now()
    feedback = Feedback.objects.create(case=case, at=at, by=by, message=message,
                                       channel=channel, to=to, consent_note=consent_note)
    CaseEvent.objects.create(case=case, at=at, by=by, kind=CaseEvent.Kind.FEEDBACK,
                             status_from=case.status, status_to=case.status,
                             note=f"by {feedback.get_channel_display().lower()}"
                                  + (f" to {to}" if to else "")
                                  + (f" ({consent_note})" if consent_note else ""))
    _enqueue_feedback(case, feedback)
    return feedback


@transaction.atomic
def do_send_feedback(case: Case, by, message: str) -> Feedback:
    """Store a message for the requester on their channel. Email and text messages go
    through the outbox to GOV.UK Notify once this commits; a call or a letter is the
    team's to make. Nothing is sent from here."""
    check_may_work(by, case)
    message = (message or "").strip()
    if not message:
        raise CaseError("enter the feedback to send")
    return _store_feedback(case, by, message)


@transaction.atomic
def do_mark_feedback_delivered(feedback_id: int, at: dt.datetime | None = None) -> bool:
    """Record that Notify took feedback `feedback_id` (the outbox worker calls this when it
    delivers the message). The first delivery counts: a repeat changes nothing. Returns
    whether this call marked it."""
    return bool(Feedback.objects.filter(pk=feedback_id, delivered_at__isnull=True)
                .update(delivered_at=at or timezone.now()))


_FEEDBACK_REFERENCE = re.compile(r"feedback:(\d{1,18})")

# What an officer is told when Notify gives up on a message, by status and channel.
_FAILURE_NOTES = {
    NotifyStatus.PERMANENT_FAILURE: "the {address} is not working (permanent failure); "
                                    "contact the resident another way",
    # Notify says temporary failure only once it has tried for 72 hours: final, like the others.
    NotifyStatus.TEMPORARY_FAILURE: "the {address} was not accepting messages for the 72 hours "
                                    "GOV.UK Notify kept trying (temporary failure); send it "
                                    "again later or contact the resident another way",
    NotifyStatus.TECHNICAL_FAILURE: "GOV.UK Notify had a technical problem sending it "
                                    "(technical failure); send it again or contact the "
                                    "resident another way",
}
_ADDRESS = {Feedback.Channel.EMAIL: "email address", Feedback.Channel.SMS: "phone number"}


class ReceiptOutcome(NamedTuple):
    """What a Notify receipt did: the feedback it names (None when it names none we hold)
    and whether it changed that feedback's status."""

    feedback: Feedback | None
    recorded: bool


def feedback_id_from_reference(reference: str | None) -> int | None:
    """The feedback id in a Notify reference `feedback:<id>`, else None."""
    match = _FEEDBACK_REFERENCE.fullmatch(reference or "")
    return int(match[1]) if match else None


@transaction.atomic
def do_record_notify_receipt(*, reference: str | None, status: str, notification_id: str = "",
                             at: dt.datetime | None = None) -> ReceiptOutcome:
    """Record what GOV.UK Notify's delivery receipt says became of case feedback.

    `reference` is the one we sent (`feedback:<id>`); `at` is when Notify completed it (now
    when it does not say). A receipt for anything else is logged and changes nothing, so
    Notify is answered 2xx and does not retry it. Idempotent: the same receipt twice, a late
    temporary failure after a final status, or an older receipt after a newer one changes
    nothing (`Feedback.takes_receipt`). A failure of any kind is also written to
    the case's history, once, for the officer to see. Raises CaseError on a status that is
    not Notify's or a naive time, before writing anything.
    """
    if status not in NotifyStatus.values:
        raise CaseError(f"status {status!r} is not one of {', '.join(NotifyStatus.values)}")
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise CaseError("a receipt's time must be timezone-aware")
    feedback_id = feedback_id_from_reference(reference)
    feedback = None
    if feedback_id is not None:
        feedback = (Feedback.objects.select_for_update(of=("self",)).select_related("case")
                    .filter(pk=feedback_id).first())
    if feedback is None:
        log.warning("Notify receipt %s (%s) for reference %r names no case feedback; ignored",
                    notification_id or "without an id", status, reference)
        return ReceiptOutcome(None, False)
    if not feedback.takes_receipt(status, at):
        return ReceiptOutcome(feedback, False)
    failed_before = feedback.notify_status in _FAILURE_NOTES
    feedback.notify_status, feedback.notify_status_at = status, at
    fields = ["notify_status", "notify_status_at"]
    if notification_id and feedback.notify_id != notification_id:
        feedback.notify_id = notification_id[:36]
        fields.append("notify_id")
    feedback.save(update_fields=fields)
    case, sent = feedback.case, timezone.localtime(feedback.at)
    which = (f"feedback of {sent.day} {sent:%B %H:%M} by {feedback.get_channel_display().lower()}"
             + (f" to {feedback.to}" if feedback.to else ""))
    if status in _FAILURE_NOTES:
        reason = _FAILURE_NOTES[status].format(address=_ADDRESS.get(feedback.channel, "address"))
        CaseEvent.objects.create(
            case=case, at=at, by=None, kind=CaseEvent.Kind.FEEDBACK_FAILED,
            status_from=case.status, status_to=case.status,
            note=f"{which} could not be delivered: {reason}")
    elif failed_before:  # the history said it failed: say it arrived after all
        CaseEvent.objects.create(
            case=case, at=at, by=None, kind=CaseEvent.Kind.FEEDBACK_DELIVERED,
            status_from=case.status, status_to=case.status,
            note=f"{which} was delivered after all")
    return ReceiptOutcome(feedback, True)


# --- members' enquiry ratings --------------------------------------------------------------


@transaction.atomic
def do_rate_enquiry(case: Case, by, rating: int, comment: str = "") -> Case:
    """The councillor who raised an enquiry rates its answer, once, after it is resolved."""
    if case.kind != Case.Kind.MEMBERS_ENQUIRY:
        raise CaseError(f"case {case.reference} is not a members' enquiry")
    if case.councillor_id != by.pk:
        raise CaseAccessDenied("only the councillor who raised an enquiry can rate it", case)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise CaseError(f"a rating is a whole number from 1 to 5, got {rating!r}")
    row = (Case.objects.select_for_update().filter(pk=case.pk)
           .values("status", "rated_at").get())
    if row["status"] not in (Case.Status.RESOLVED, Case.Status.CLOSED):
        raise CaseError("an enquiry can be rated once it is answered")
    if row["rated_at"] is not None:
        raise CaseError(f"enquiry {case.reference} is already rated")
    case.rating, case.rating_comment = rating, (comment or "").strip()
    case.rated_at = timezone.now()
    case.save(update_fields=["rating", "rating_comment", "rated_at"])
    CaseEvent.objects.create(case=case, at=case.rated_at, by=by, kind=CaseEvent.Kind.RATED,
                             status_from=row["status"], status_to=row["status"],
                             note=f"{rating} out of 5" + (f": {case.rating_comment}"
                                                          if case.rating_comment else ""))
    return case


def do_open_case(user, case: Case) -> None:
    """Log that `user` opened a case page, which shows its resident: every view of a
    resident's record is in the access log. The caller has checked that they may read it."""
    if case.person_id is not None:
        # Granted by the case (its team, leader or councillor), whether or not the reader
        # acts for the resident's own council: the log says which.
        do_record_access(user=user, person=case.person, granted=True, contact=case.contact,
                         purpose=f"case {case.reference}"[:64])
