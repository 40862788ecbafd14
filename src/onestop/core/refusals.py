"""Every refusal to a signed-in user is written to the access log, by one mechanism.

A view or API endpoint refuses by raising PermissionDenied (Django's or REST framework's);
`RefusalLogMiddleware` sees every 403 answered to a signed-in user and writes one
`RecordAccess(granted=False)` naming what the request asked for: the person, case, contact,
pair or life event in its URL (resolved to its resident where there is one), or what the
refusal itself names (`AccessRefused`, for a resident named in a request's body). Access
decisions therefore need not remember to log, and a new page cannot forget to.

The entry is written after the view has finished, outside its transaction, so a refusal
that rolled back the view's work is still recorded.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.core.exceptions import PermissionDenied
from rest_framework import exceptions as api_exceptions
from rest_framework.views import exception_handler

from onestop.core.actions import do_record_access

log = logging.getLogger(__name__)
REFUSAL_ATTRIBUTE = "_onestop_refusal"


class AccessRefused(PermissionDenied):
    """A refusal that knows whose record it refused (and in which contact)."""

    def __init__(self, message: str, *, person=None, contact=None, subject: str = "",
                 purpose: str = "") -> None:
        super().__init__(message)
        self.person, self.contact, self.subject = person, contact, subject
        self.purpose = purpose  # what the user was trying to do: "view", "log contact"


def _case(reference):
    case = apps.get_model("cases", "Case").objects.filter(reference=reference) \
        .select_related("person", "contact").first()
    return (case.person, case.contact) if case else (None, None)


def _contact(contact_id):
    contact = apps.get_model("contacts", "Contact").objects.filter(pk=contact_id) \
        .select_related("person").first()
    return (contact.person, contact) if contact else (None, None)


def _person(person_id):
    return apps.get_model("people", "Person").objects.filter(pk=person_id).first(), None


def _event(event_id):
    event = apps.get_model("lifeevents", "LifeEvent").objects.filter(pk=event_id) \
        .select_related("person").first()
    return (event.person, None) if event else (None, None)


def _report(report_id):
    report = apps.get_model("lifeevents", "SelfServiceReport").objects.filter(pk=report_id) \
        .select_related("person").first()
    return (report.person, None) if report else (None, None)


def _record(record_id):
    record = apps.get_model("matching", "SourceRecord").objects.filter(pk=record_id) \
        .select_related("person").first()
    return (record.person, None) if record else (None, None)


# URL keyword → (what it names, how to find that thing's resident and contact). A URL
# pattern whose keywords include one of these names a resident's data; the security tests
# walk the URLconf with this table, so a new kind of keyword must be added here.
SUBJECTS = {
    "person_id": ("person", _person),
    "reference": ("case", _case),
    "contact_id": ("contact", _contact),
    "event_id": ("life event", _event),
    "report_id": ("self-service report", _report),
    "left_id": ("pair", _record),
}


def subject_of(kwargs: dict) -> tuple[str, object, object]:
    """What a URL's keywords name: (label, person or None, contact or None)."""
    for keyword, (label, find) in SUBJECTS.items():
        if keyword in kwargs:
            value = kwargs[keyword]
            person, contact = find(value) if str(value).isdecimal() or keyword == "reference" \
                else (None, None)
            if keyword == "left_id" and "right_id" in kwargs:
                value = f"{value}-{kwargs['right_id']}"
            return f"{label} {value}", person, contact
    named = ", ".join(f"{key} {value}" for key, value in sorted(kwargs.items()))
    return named, None, None


class RefusalLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.status_code == 403 and user is not None and user.is_authenticated:
            try:
                _log_refusal(request, user)
            except Exception:  # the refusal stands even if the log cannot be written
                log.exception("could not write the access log entry for a refusal of %s",
                              request.path)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            setattr(request, REFUSAL_ATTRIBUTE, exception)
        return None  # Django answers 403 as usual


def api_exception_handler(exc, context):
    """REST framework answers refusals itself; keep the refusal for the middleware."""
    if isinstance(exc, PermissionDenied | api_exceptions.PermissionDenied):
        setattr(context["request"]._request, REFUSAL_ATTRIBUTE, exc)
    return exception_handler(exc, context)


def _log_refusal(request, user) -> None:
    refusal = getattr(request, REFUSAL_ATTRIBUTE, None)
    match = request.resolver_match
    subject, person, contact = subject_of(match.kwargs if match else {})
    if isinstance(refusal, AccessRefused):
        person = refusal.person or person
        contact = refusal.contact or contact
        subject = refusal.subject or subject or (f"person {person.pk}" if person else "")
    reason = str(refusal) if refusal is not None else "refused"
    if isinstance(refusal, AccessRefused) and refusal.purpose:
        reason = refusal.purpose
    do_record_access(user=user, person=person, granted=False, contact=contact,
                     purpose=reason, subject=subject or (match.view_name if match else ""),
                     path=request.get_full_path())
