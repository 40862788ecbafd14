"""The adviser's contact under way: basket, dialogue runs, and moving between terminals.

Every page checks that the signed-in adviser owns the work session and that this is the
terminal it is live on; anywhere else the page says the contact moved and offers to
carry on here.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from onestop.catalogue.models import Service
from onestop.contacts import actions
from onestop.contacts.actions import ContactError, ContactMoved, WorkSessionError
from onestop.contacts.models import ContactService, WorkSession
from onestop.contacts.running import run_context
from onestop.contacts.views import _open_record
from onestop.core.access import desk_staff_only, requires_role
from onestop.dialogues import engine
from onestop.dialogues.engine import RunState, StaleStep
from onestop.dialogues.presentation import outcome_view, page_view
from onestop.dialogues.queries import find_published
from onestop.people.postcodes import normalise_postcode
from onestop.people.queries import properties_at

adviser_only = requires_role("adviser", "team_leader")
STALE = ("That page had already been answered, so nothing was changed. This is where the "
         "script is now.")
SERVICE_RESULTS = 15
ADDRESSES_SHOWN = 60


def session_url(session: WorkSession) -> str:
    if session.current_id:
        return reverse("contacts:run-service", args=[session.contact_id, session.current_id])
    return reverse("contacts:contact", args=[session.contact_id])


@adviser_only
@require_POST
def start_contact(request, person_id: int | None = None):
    person = _open_record(request, person_id, purpose="start contact") if person_id else None
    try:
        session = actions.do_start_contact(adviser=request.user, person=person,
                                           channel=request.POST.get("channel", "phone"),
                                           terminal=request.terminal_key)
    except (ContactError, WorkSessionError) as error:
        messages.error(request, str(error))
        open_one = WorkSession.objects.filter(owner=request.user,
                                              closed_at__isnull=True).first()
        return redirect(session_url(open_one) if open_one else "contacts:find-person")
    return redirect(session_url(session))


@desk_staff_only
def resume(request):
    """Where a sign-in lands: the adviser's open contact (sign-in claimed it for this
    terminal), or the desktop."""
    session = WorkSession.objects.filter(owner=request.user, closed_at__isnull=True).first()
    if session is None:
        return redirect("contacts:find-person")
    if session.terminal != request.terminal_key:
        return _moved(request, session)
    return redirect(session_url(session))


def _session(request, contact_id: int) -> WorkSession:
    session = get_object_or_404(
        WorkSession.objects.select_related("contact__person__household__property",
                                           "current__service"), contact_id=contact_id)
    if session.owner_id != request.user.pk:
        raise PermissionDenied("this contact belongs to another adviser")
    return session


def _moved(request, session: WorkSession):
    return render(request, "contacts/moved.html", {"session": session}, status=409)


@adviser_only
@require_POST
def take_over(request, contact_id: int):
    session = _session(request, contact_id)
    try:
        actions.do_claim_work_session(session, by=request.user, terminal=request.terminal_key)
    except WorkSessionError as error:
        messages.error(request, str(error))
        return redirect("contacts:find-person")
    return redirect(session_url(session))


@adviser_only
def contact_page(request, contact_id: int):
    session = _session(request, contact_id)
    if not session.is_open:
        return redirect(_closed_url(session))
    if session.terminal != request.terminal_key:
        return _moved(request, session)
    if request.method == "POST":
        return _basket_step(request, session)
    query = request.GET.get("q", "").strip()[:100]
    basket = list(session.contact.basket.select_related("service", "case"))
    offered = find_published("adviser", query,
                             leaving_out={item.service_id for item in basket})
    postcode = normalise_postcode(request.GET.get("postcode", ""))
    return render(request, "contacts/contact.html", {
        "session": session, "contact": session.contact, "person": session.contact.person,
        "basket": basket, "offered": offered[:SERVICE_RESULTS], "query": query,
        "can_close": bool(basket) and all(item.is_finished for item in basket),
        "postcode": postcode or request.GET.get("postcode", "")[:10],
        "addresses": properties_at(postcode, ADDRESSES_SHOWN) if postcode else [],
    })


def _closed_url(session: WorkSession) -> str:
    person = session.contact.person_id
    return reverse("contacts:person", args=[person]) + f"?contact={session.contact_id}" \
        if person else reverse("contacts:find-person")


def _basket_step(request, session: WorkSession):
    step, user, terminal = request.POST.get("action", ""), request.user, request.terminal_key
    try:
        if step == "add":
            service = Service.objects.filter(lgsl=_number(request.POST.get("lgsl"))).first()
            if service is None:
                raise WorkSessionError("choose a service to add")
            item = actions.do_add_service(session, service, by=user, terminal=terminal)
            return redirect("contacts:run-service", session.contact_id, item.pk)
        if step == "remove":
            item = get_object_or_404(ContactService, pk=_number(request.POST.get("item")),
                                     contact=session.contact)
            actions.do_remove_service(session, item, by=user, terminal=terminal)
            messages.success(request, f"{item.service.label} removed from the contact")
        elif step == "requester":
            postcode = normalise_postcode(request.POST.get("postcode", ""))
            chosen = next((p for p in properties_at(postcode, ADDRESSES_SHOWN)
                           if str(p.uprn) == request.POST.get("address")), None) \
                if postcode else None
            actions.do_record_requester(
                session, name=request.POST.get("name", ""), email=request.POST.get("email", ""),
                phone=request.POST.get("phone", ""), property=chosen, by=user,
                terminal=terminal, address_required=False)
            messages.success(request, "Caller's details saved")
        elif step == "notes":
            actions.do_save_notes(session, request.POST.get("notes", ""), by=user,
                                  terminal=terminal)
            messages.success(request, "Notes saved")
        elif step == "close":
            actions.do_save_notes(session, request.POST.get("notes", session.notes), by=user,
                                  terminal=terminal)
            contact = actions.do_close_contact(session, by=user, terminal=terminal)
            verdict = "resolved at first contact" if contact.resolved_at_first_contact \
                else contact.get_outcome_display().lower()
            messages.success(request, f"Contact {contact.pk} closed: {verdict}")
            return redirect(_closed_url(session))
        elif step == "abandon":
            actions.do_abandon_contact(session, by=user, terminal=terminal)
            messages.success(request, f"Contact {session.contact_id} ended as abandoned")
            return redirect(_closed_url(session))
        else:
            raise WorkSessionError("choose what to do")
    except ContactMoved:
        return _moved(request, session)
    except (WorkSessionError, ContactError) as error:
        messages.error(request, str(error))
    return redirect("contacts:contact", session.contact_id)


@adviser_only
def run_service(request, contact_id: int, item_id: int):
    session = _session(request, contact_id)
    if not session.is_open:
        return redirect(_closed_url(session))
    if session.terminal != request.terminal_key:
        return _moved(request, session)
    item = get_object_or_404(ContactService.objects.select_related(
        "service", "dialogue_version", "case", "contact__person__household__property"),
        pk=item_id, contact_id=contact_id)
    raw, errors, status = None, None, 200
    if request.method == "POST":
        step, user, terminal = request.POST.get("action", ""), request.user, request.terminal_key
        try:
            if step == "back":
                actions.do_go_back(session, item, request.POST, by=user, terminal=terminal)
                return redirect("contacts:run-service", contact_id, item_id)
            if "find" in request.POST:
                raw = request.POST  # an address search: show the page again, saving nothing
            else:
                errors = actions.do_answer_page(session, item, request.POST, by=user,
                                                terminal=terminal)
                if not errors:
                    return redirect("contacts:run-service", contact_id, item_id)
                raw, status = request.POST, 400
        except ContactMoved:
            return _moved(request, session)
        except StaleStep:
            messages.error(request, STALE)
            return redirect("contacts:run-service", contact_id, item_id)
        except WorkSessionError as error:
            messages.error(request, str(error))
            return redirect("contacts:run-service", contact_id, item_id)
    elif session.current_id != item.pk and not item.is_finished:
        actions.do_open_service(session, item, by=request.user, terminal=request.terminal_key)
    return render(request, "contacts/run.html", run_page_context(item, raw, errors),
                  status=status)


def run_page_context(item: ContactService, raw=None, errors=None) -> dict:
    """What the run page of any front end shows: the current page, or the outcome."""
    dialogue = item.dialogue_version.parsed
    state = RunState.from_json(item.run)
    context = run_context(item, raw)
    answered = engine.summary(dialogue, state, context)
    page = None if state.finished else page_view(dialogue, state, context, raw=raw,
                                                 errors=errors)
    return {"item": item, "contact": item.contact, "person": item.contact.person,
            "dialogue": dialogue, "view": page, "answered": answered,
            "end": outcome_view(dialogue, state, context) if state.finished else None,
            "version": item.dialogue_version}


def _number(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdecimal() and len(value) < 10 \
        else None
