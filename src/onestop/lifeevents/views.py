"""Life events from the adviser desktop and from residents' own self-service page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from onestop.core.access import desk_staff_only, requires_role
from onestop.lifeevents.actions import LifeEventError, do_report_life_event
from onestop.lifeevents.forms import LifeEventForm, ResidentForm
from onestop.lifeevents.models import LifeEvent
from onestop.lifeevents.queries import event_with_notices, find_resident
from onestop.people.actions import RecordAccessDenied, do_open_person_record
from onestop.people.models import Person
from onestop.people.queries import properties_at

ADDRESSES_SHOWN = 60
SESSION_KEY = "life_events_reported"
ADVISER_CHANNELS = [LifeEvent.Channel.PHONE, LifeEvent.Channel.FACE_TO_FACE,
                    LifeEvent.Channel.HOME_VISIT]
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
    try:
        do_open_person_record(request.user, person, purpose="report life event")
    except RecordAccessDenied as error:
        raise PermissionDenied(str(error)) from None
    form = LifeEventForm(request.POST if request.method == "POST" else None)
    addresses = _addresses(form) if form.is_bound else []
    channel = request.POST.get("channel", LifeEvent.Channel.PHONE)
    if form.is_bound and not _finding(request, form, addresses) and form.is_valid():
        event = _report(form, person, reported_by=request.user, channel=channel)
        if event is not None:
            return redirect("lifeevents:event", event.pk)
    return render(request, "lifeevents/report.html", {
        "form": form, "person": person, "addresses": addresses, "channel": channel,
        "channels": [(c.value, c.label) for c in ADVISER_CHANNELS],
    }, status=400 if form.is_bound and form.errors else 200)


@desk_staff_only
def event_page(request, event_id: int):
    event = get_object_or_404(event_with_notices(), pk=event_id)
    try:
        do_open_person_record(request.user, event.person, purpose="view life event")
    except RecordAccessDenied as error:
        raise PermissionDenied(str(error)) from None
    return render(request, "lifeevents/event.html", {"event": event,
                                                     "notices": event.notices.all()})


def resident_report(request):
    """A resident tells us once, with no sign-in. The report goes ahead only for an exact
    match of name, date of birth and home postcode, and the page never shows what is on
    our records: the confirmation goes to the contact details we already hold (or, for a
    death, to the informant who gave theirs)."""
    form = ResidentForm(request.POST if request.method == "POST" else None)
    addresses = _addresses(form) if form.is_bound else []
    if form.is_bound and not _finding(request, form, addresses) and form.is_valid():
        data = form.cleaned_data
        person = find_resident(given_name=data["given_name"], family_name=data["family_name"],
                               date_of_birth=data["date_of_birth"],
                               postcode=data["home_postcode"])
        if person is None:
            form.add_error(None, "We could not find a resident with that name, date of "
                                 "birth and postcode. Check them, or call us and an "
                                 "adviser will help.")
        else:
            event = _report(form, person, reported_by=None, channel=LifeEvent.Channel.WEB)
            if event is not None:
                request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []),
                                                event.pk][-10:]
                return redirect("lifeevents:resident-done", event.pk)
    return render(request, "lifeevents/resident_report.html", {
        "form": form, "addresses": addresses, "mode": "web",
    }, status=400 if form.is_bound and form.errors else 200)


def resident_done(request, event_id: int):
    if event_id not in request.session.get(SESSION_KEY, []):
        raise Http404("not one of your reports")
    event = get_object_or_404(LifeEvent, pk=event_id)
    return render(request, "lifeevents/resident_done.html", {
        "event": event, "told": event.notices.exclude(delivery="not_routed").count(),
        "mode": "web"})
