"""Life events from the adviser desktop and from residents' own self-service page."""

from __future__ import annotations

from django.forms.utils import ErrorDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from onestop.core.access import desk_staff_only, requires_role
from onestop.core.limits import TooManyWrites, request_client_key, retry_later
from onestop.lifeevents.actions import (
    LifeEventError,
    do_confirm_self_service_report,
    do_drop_self_service_report,
    do_hold_self_service_report,
    do_report_life_event,
)
from onestop.lifeevents.forms import LifeEventForm, ResidentForm
from onestop.lifeevents.models import LifeEvent, SelfServiceReport
from onestop.lifeevents.queries import event_with_notices, find_resident, reports_to_check
from onestop.people.actions import do_open_person_record
from onestop.people.models import Person
from onestop.people.queries import properties_at

ADDRESSES_SHOWN = 60
ADVISER_CHANNELS = [LifeEvent.Channel.PHONE, LifeEvent.Channel.FACE_TO_FACE,
                    LifeEvent.Channel.HOME_VISIT, LifeEvent.Channel.EMAIL,
                    LifeEvent.Channel.LETTER]
# Where the action's error lands on the form.
FIELDS = {"kind": "kind", "occurred_on": "on_day", "details.child_given_name":
          "child_given_name", "details.child_family_name": "child_family_name",
          "details.uprn": "uprn", "details.new_address": "new_address",
          "details.given_name": "new_given_name", "details.family_name": "new_family_name",
          "details.cared_for": "cared_for", "informant": "informant_name",
          "informant.name": "informant_name", "informant.email": "informant_email",
          "informant.phone": "informant_phone"}


def _addresses(form: LifeEventForm) -> list:
    postcode = form.postcode()
    return properties_at(postcode, ADDRESSES_SHOWN) if postcode else []


def _finding(request, form: LifeEventForm, addresses: list) -> bool:
    """The "Find addresses" button: show the addresses at the postcode, report nothing."""
    if "find" not in request.POST:
        return False
    # Looking up addresses is not submitting: no "select what happened" for a half-filled
    # form, only what is wrong with the postcode.
    form.full_clean()
    form._errors = ErrorDict()
    if form.postcode() is None:
        form.add_error("new_postcode", "Enter a full UK postcode, like IP14 1AB")
    elif not addresses:
        form.add_error("new_postcode", "We have no addresses at that postcode in our area")
    return True


def _report(form: LifeEventForm, person: Person, **extra) -> LifeEvent | None:
    data = form.cleaned_data
    try:
        return do_report_life_event(data["kind"], person, data["occurred_on"], form.details(),
                                    informant=form.informant(), **extra)
    except LifeEventError as error:
        form.add_error(FIELDS.get(error.field), str(error))
        return None


@requires_role("adviser", "team_leader")
def report(request, person_id: int):
    person = get_object_or_404(Person, pk=person_id)
    do_open_person_record(request.user, person, purpose="report life event")
    form = LifeEventForm(request.POST if request.method == "POST" else None)
    addresses = _addresses(form) if form.is_bound else []
    channel = request.POST.get("channel", LifeEvent.Channel.PHONE)
    # Web self-service and partner systems have their own ways in, not this form.
    channel_error = "" if channel in ADVISER_CHANNELS else (
        "Select how they are telling us: " + ", ".join(c.label.lower()
                                                      for c in ADVISER_CHANNELS))
    if (form.is_bound and not _finding(request, form, addresses) and form.is_valid()
            and not channel_error):
        event = _report(form, person, reported_by=request.user, channel=channel)
        if event is not None:
            return redirect("lifeevents:event", event.pk)
    if channel_error and form.is_bound:
        form.add_error(None, channel_error)
    return render(request, "lifeevents/report.html", {
        "form": form, "person": person, "addresses": addresses, "channel": channel,
        "channels": [(c.value, c.label) for c in ADVISER_CHANNELS],
    }, status=400 if form.is_bound and form.errors else 200)


@desk_staff_only
def event_page(request, event_id: int):
    event = get_object_or_404(event_with_notices(), pk=event_id)
    do_open_person_record(request.user, event.person, purpose="view life event")
    return render(request, "lifeevents/event.html", {"event": event,
                                                     "notices": event.notices.all()})


def resident_report(request):
    """A resident tells us once, with no sign-in. Anyone can fill this in, so a report
    that matches a resident exactly (name, date of birth, home postcode) is only held for
    an adviser to check: nothing changes and nothing is sent until one confirms it. The
    answer is the same whether or not anyone matched, or the same report was made before:
    the page must not tell a stranger who is on our records, or who has died. Only
    mistakes in the form itself (a date that is not a date) are shown, and, past the page's
    limits, a page asking them to try later (429: see do_hold_self_service_report)."""
    form = ResidentForm(request.POST if request.method == "POST" else None)
    addresses = _addresses(form) if form.is_bound else []
    if form.is_bound and not _finding(request, form, addresses) and form.is_valid():
        data = form.cleaned_data
        person = find_resident(given_name=data["given_name"], family_name=data["family_name"],
                               date_of_birth=data["date_of_birth"],
                               postcode=data["home_postcode"])
        try:
            do_hold_self_service_report(data["kind"], person, data["occurred_on"],
                                        form.details(), form.informant(),
                                        client_key=request_client_key(request))
        except TooManyWrites as refusal:
            return _too_many(request, refusal)
        return redirect("lifeevents:resident-done")
    return render(request, "lifeevents/resident_report.html", {
        "form": form, "addresses": addresses, "mode": "web",
    }, status=400 if form.is_bound and form.errors else 200)


def _too_many(request, refusal: TooManyWrites):
    # The page keeps nothing of what was typed: the form is not shown again.
    return retry_later(render(request, "lifeevents/resident_too_many.html", {
        "mode": "web", "minutes": refusal.retry_minutes, "everyone": refusal.everyone,
    }), refusal)


def resident_done(request):
    return render(request, "lifeevents/resident_done.html", {"mode": "web"})


def _self_service_page(request, *, error: str = "", error_report: int | None = None,
                       status: int = 200):
    return render(request, "lifeevents/self_service.html", {
        "reports": reports_to_check(request.user), "error": error,
        "error_report": error_report}, status=status)


@requires_role("adviser", "team_leader")
def self_service_reports(request):
    return _self_service_page(request)


def _report_to_decide(request, report_id: int, purpose: str) -> SelfServiceReport:
    report = get_object_or_404(SelfServiceReport.objects.select_related("person"),
                               pk=report_id)
    do_open_person_record(request.user, report.person, purpose=purpose)
    return report


@require_POST
@requires_role("adviser", "team_leader")
def self_service_confirm(request, report_id: int):
    report = _report_to_decide(request, report_id, "confirm self-service life event")
    try:
        event = do_confirm_self_service_report(report, request.user)
    except LifeEventError as error:
        return _self_service_page(request, error=f"{report.person.full_name}: {error}",
                                  error_report=report.pk, status=400)
    return redirect("lifeevents:event", event.pk)


@require_POST
@requires_role("adviser", "team_leader")
def self_service_drop(request, report_id: int):
    report = _report_to_decide(request, report_id, "drop self-service life event")
    try:
        do_drop_self_service_report(report, request.user)
    except LifeEventError as error:
        return _self_service_page(request, error=str(error), error_report=report.pk,
                                  status=400)
    return redirect("lifeevents:self-service")
