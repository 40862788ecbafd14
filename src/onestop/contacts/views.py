"""The adviser desktop: find a resident, see their record, log a contact."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from onestop.authorities.queries import providers_at
from onestop.cases.queries import cases_for_person
from onestop.catalogue.models import Service
from onestop.catalogue.queries import search_services, services_of_interest
from onestop.contacts.actions import ContactError, do_log_contact
from onestop.contacts.forms import FindPersonForm, LogContactForm
from onestop.contacts.models import Contact, WorkSession
from onestop.core.access import desk_staff_only, requires_role
from onestop.eligibility.queries import recommendations_for
from onestop.matching.queries import conflicting_values, source_rows
from onestop.people.access import RECORD_ROLES, sections_for
from onestop.people.actions import do_open_person_record
from onestop.people.models import Person
from onestop.people.queries import BadSearch, PersonSearch, find_people, person_records

SERVICE_RESULTS = 20
# The channels an adviser's contact comes in on (web and kiosk are residents' own).
START_CHANNELS = [(c.value, c.label) for c in Contact.Channel
                  if c not in (Contact.Channel.WEB, Contact.Channel.KIOSK)]


def _open_record(request, person_id: int, *, purpose: str, contact=None,
                 people=Person.objects) -> Person:
    person = get_object_or_404(people, pk=person_id)
    do_open_person_record(request.user, person, contact=contact, purpose=purpose)
    return person


@desk_staff_only
def find_person(request):
    form = FindPersonForm(request.GET or None)
    people = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        search = PersonSearch(text=data["q"], name=data["name"],
                              date_of_birth=data["date_of_birth"], postcode=data["postcode"],
                              phone=data["phone"])
        if search.is_empty():
            form.add_error("q", "Enter a name, postcode, date of birth or phone number")
        else:
            try:
                people = find_people(request.user, search)
            except BadSearch as error:
                form.add_error(error.field, str(error))
    return render(request, "contacts/find_person.html", {"form": form, "people": people})


@requires_role(*RECORD_ROLES)
def person_page(request, person_id: int):
    contact = None
    if request.GET.get("contact", "").isdecimal() and len(request.GET["contact"]) < 19:
        contact = Contact.objects.filter(pk=request.GET["contact"], person_id=person_id).first()
    person = _open_record(request, person_id, purpose="view", contact=contact,
                          people=person_records())
    # Only what the viewer's work needs is read, not just hidden (people.access).
    sections = sections_for(request.user)
    prop = person.household.property if person.household else None
    records = list(person.source_records.all()) if sections.source_records else []
    return render(request, "contacts/person.html", {
        "person": person, "property": prop, "sections": sections,
        "providers": providers_at(prop, services_of_interest())
        if prop and sections.offers else [],
        "household": [m for m in person.household.members.all() if m.pk != person.pk]
        if person.household and sections.household else [],
        "recent_contacts": person.contacts.select_related("recorded_by")
        .prefetch_related("services")[:10] if sections.contacts else [],
        "contact": contact,
        "source_records": source_rows(records), "conflicts": conflicting_values(records),
        "open_session": WorkSession.objects.filter(owner=request.user,
                                                   closed_at__isnull=True).first(),
        "can_start": request.user.has_role("adviser", "team_leader"),
        "start_channels": START_CHANNELS,
        "person_cases": cases_for_person(person, request.user),
        "eligibility": recommendations_for(person) if sections.offers else None,
    })


@requires_role("adviser", "team_leader")
def log_contact(request, person_id: int | None = None):
    person = None
    if person_id is not None:
        person = _open_record(request, person_id, purpose="log contact")
    form = LogContactForm(request.POST if request.method == "POST" else None)
    chosen = _chosen_services(request)
    searching = request.POST.get("action") == "search"
    if request.method == "POST" and not searching and form.is_valid():
        data = form.cleaned_data
        try:
            contact = do_log_contact(recorded_by=request.user, person=person,
                                     channel=data["channel"], outcome=data["outcome"],
                                     services=list(data["services"]), notes=data["notes"])
        except ContactError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, f"Contact {contact.pk} logged: "
                                      f"{contact.get_outcome_display().lower()}")
            if person is None:
                return redirect("contacts:find-person")
            return redirect(f"{reverse('contacts:person', args=[person.pk])}"
                            f"?contact={contact.pk}")
    query = request.POST.get("service_query", "").strip()
    results = []
    if query:
        results = [s for s in search_services(query)[:SERVICE_RESULTS + len(chosen)]
                   if s not in chosen][:SERVICE_RESULTS]
    return render(request, "contacts/log_contact.html", {
        "form": form, "person": person, "chosen": chosen, "results": results,
        "query": query, "searching": searching,
        "show_errors": request.method == "POST" and not searching,
    }, status=400 if request.method == "POST" and not searching and form.errors else 200)


def _chosen_services(request) -> list[Service]:
    wanted = [value for value in request.POST.getlist("services")
              if value.isdecimal() and len(value) < 10]
    found = {s.lgsl: s for s in Service.objects.filter(lgsl__in=wanted)}
    return [found[int(value)] for value in dict.fromkeys(wanted) if int(value) in found]
