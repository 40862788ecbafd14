"""Residents' own pages: the same scripts as the adviser desktop, on the web or a kiosk.

No sign-in: a resident's runs are the ones their browser session started on this
terminal. On a kiosk the session is wiped after a quiet spell (and at one press of the
"finish" button or the Escape key), so the next person at the kiosk starts clean.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from onestop.catalogue.models import Service
from onestop.contacts import actions
from onestop.contacts.actions import (
    CannotRefer,
    ContactError,
    ContactMoved,
    WorkSessionError,
)
from onestop.contacts.models import Contact, ContactService, WorkSession
from onestop.contacts.work_views import STALE, run_page_context
from onestop.core.limits import Kind, limit_anonymous_writes
from onestop.dialogues.engine import StaleStep
from onestop.dialogues.queries import find_published
from onestop.people.postcodes import normalise_postcode
from onestop.people.queries import properties_at

SESSION_KEY = "self_service_runs"
CHANNEL = {"web": Contact.Channel.WEB, "kiosk": Contact.Channel.KIOSK}
ENGINE_CHANNEL = {"web": "self_service", "kiosk": "kiosk"}
ADDRESSES_SHOWN = 60


def _render(request, mode: str, template: str, context: dict, status: int = 200):
    return render(request, template, {**context, "mode": mode, "kiosk": mode == "kiosk",
                                      "idle_seconds": settings.KIOSK_IDLE_SECONDS},
                  status=status)


STARTS = {"web": Kind.WEB_SERVICE_STARTED, "kiosk": Kind.KIOSK_SERVICE_STARTED}
PAGES = {"web": Kind.WEB_PAGE_SAVED, "kiosk": Kind.KIOSK_PAGE_SAVED}


def _too_many(request, refusal, mode: str, **kwargs):
    # Nothing from the refused request is kept or shown again; what earlier pages saved
    # stays in the run, and "Finish and clear" (never limited) still clears it.
    return _render(request, mode, "portal/too_many.html", {
        "minutes": refusal.retry_minutes, "everyone": refusal.everyone,
        "starting": refusal.kind in STARTS.values()})


# Every POST that writes counts against the hourly limits of its kind, web or kiosk
# (onestop.core.limits). "Finish and clear" does not: refusing it would leave a resident's
# answers on a shared screen, and it only ever ends runs this browser started, each of
# which was counted when it started.
counts_as_start = limit_anonymous_writes(lambda request, mode, **_: STARTS[mode], _too_many)
counts_as_page = limit_anonymous_writes(lambda request, mode, **_: PAGES[mode], _too_many)


IDLE_MESSAGE = ("The last session ended because the kiosk was not used for a while. "
                "Nothing from it is shown.")


def index(request, mode: str):
    if mode == "kiosk" and _wipe_if_idle(request):
        messages.info(request, IDLE_MESSAGE)
    query = request.GET.get("q", "").strip()[:100]
    versions = find_published(ENGINE_CHANNEL[mode], query)
    return _render(request, mode, "portal/index.html", {"versions": versions, "query": query})


@require_POST
@counts_as_start
def start(request, mode: str):
    lgsl = request.POST.get("lgsl", "")
    service = Service.objects.filter(lgsl=int(lgsl)).first() \
        if lgsl.isdecimal() and len(lgsl) < 10 else None
    if service is None:
        raise Http404("no such service")
    try:
        item = actions.do_start_self_service(service, channel=CHANNEL[mode],
                                             terminal=request.terminal_key)
    except (ContactError, WorkSessionError) as error:
        messages.error(request, str(error))
        return redirect(f"portal:{mode}-index")
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), item.pk][-10:]
    return redirect(f"portal:{mode}-about-you", item.pk)


def _mine(request, mode: str, item_id: int) -> ContactService:
    """One of this browser's runs on this terminal; anything else is not found."""
    if item_id not in request.session.get(SESSION_KEY, []):
        raise Http404("not one of your services")
    item = get_object_or_404(ContactService.objects.select_related(
        "service", "dialogue_version", "case__team", "case__authority",
        "contact__work_session", "contact__requester_property"), pk=item_id,
        contact__channel=CHANNEL[mode])
    session = item.contact.work_session
    if session.terminal != request.terminal_key:
        raise Http404("not one of your services")
    return item


@counts_as_page
def about_you(request, mode: str, item_id: int):
    if mode == "kiosk" and _wipe_if_idle(request):
        messages.info(request, IDLE_MESSAGE)
        return redirect("portal:kiosk-index")
    item = _mine(request, mode, item_id)
    if not item.contact.work_session.is_open:
        return redirect(f"portal:{mode}-run", item.pk)  # finished: details stay as given
    session, contact = item.contact.work_session, item.contact
    data = request.POST if request.method == "POST" else {
        "name": contact.requester_name, "email": contact.requester_email,
        "phone": contact.requester_phone,
        "postcode": contact.requester_property.postcode if contact.requester_property else "",
        "address": str(contact.requester_property.uprn) if contact.requester_property else ""}
    postcode = normalise_postcode(data.get("postcode", ""))
    addresses = properties_at(postcode, ADDRESSES_SHOWN) if postcode else []
    errors: dict[str, str] = {}
    if request.method == "POST" and "find" not in request.POST:
        if not postcode:
            errors["postcode"] = "Enter a full UK postcode, like IP14 1AB"
        chosen = next((p for p in addresses if str(p.uprn) == data.get("address")), None)
        if not errors:
            try:
                actions.do_record_requester(
                    session, name=data.get("name", ""), email=data.get("email", ""),
                    phone=data.get("phone", ""), property=chosen,
                    terminal=request.terminal_key)
            except ContactError as error:
                errors[error.field] = str(error)
            except (ContactMoved, WorkSessionError):
                raise Http404("this session has ended") from None
            else:
                return redirect(f"portal:{mode}-run", item.pk)
    elif request.method == "POST" and not postcode:
        errors["postcode"] = "Enter a full UK postcode, like IP14 1AB"
    elif request.method == "POST" and not addresses:
        errors["postcode"] = f"We have no addresses at {postcode} in our area"
    return _render(request, mode, "portal/about_you.html", {
        "item": item, "data": data, "addresses": addresses, "errors": errors,
    }, status=400 if errors else 200)


@counts_as_page
def run(request, mode: str, item_id: int):
    if mode == "kiosk" and _wipe_if_idle(request):
        messages.info(request, IDLE_MESSAGE)
        return redirect("portal:kiosk-index")
    item = _mine(request, mode, item_id)
    session = item.contact.work_session
    if item.contact.requester_property_id is None:
        return redirect(f"portal:{mode}-about-you", item.pk)
    raw, errors, status = None, None, 200
    if request.method == "POST" and session.is_open:
        try:
            if request.POST.get("action") == "back":
                actions.do_go_back(session, item, request.POST, by=None,
                                   terminal=request.terminal_key)
                return redirect(f"portal:{mode}-run", item.pk)
            if "find" in request.POST:
                raw = request.POST
            else:
                errors = actions.do_answer_page(session, item, request.POST, by=None,
                                                terminal=request.terminal_key,
                                                close_when_finished=True)
                if not errors:
                    return redirect(f"portal:{mode}-run", item.pk)
                raw, status = request.POST, 400
        except StaleStep:
            messages.error(request, STALE)
            return redirect(f"portal:{mode}-run", item.pk)
        except CannotRefer:
            messages.error(request, "We could not send this request online. Please call us "
                                    "or visit a one-stop shop, and an adviser will help.")
            return redirect(f"portal:{mode}-run", item.pk)
        except WorkSessionError as error:
            messages.error(request, str(error))
            return redirect(f"portal:{mode}-run", item.pk)
    return _render(request, mode, "portal/run.html", run_page_context(item, raw, errors),
                   status=status)


@require_POST
@counts_as_page
def still_here(request, mode: str):
    """The kiosk's page saw the resident at work (typing, tapping): their session is not
    idle, though no page has been saved for a while."""
    for session in _sessions(request):
        actions.do_keep_self_service_alive(session, terminal=request.terminal_key)
    return HttpResponse(status=204)


@require_POST
def end(request, mode: str):
    """Finish and clear: the one press that leaves a kiosk (or a shared PC) clean."""
    for session in _sessions(request):
        _wipe(request, session, flush=False)
    request.session.flush()
    messages.info(request, "Finished. Everything you entered has been cleared from this "
                           "screen.")
    return redirect(f"portal:{mode}-index")


def _sessions(request) -> list[WorkSession]:
    """This browser's self-service sessions on this terminal, open or finished."""
    ids = request.session.get(SESSION_KEY, [])
    if not ids:
        return []
    return list(WorkSession.objects.filter(contact__basket__pk__in=ids, owner__isnull=True,
                                           terminal=request.terminal_key).distinct())


def _wipe_if_idle(request) -> bool:
    """On a kiosk, forget everything of a browser session left alone too long, finished
    runs included: the next person must see nothing of the last one's."""
    quiet = dt.timedelta(seconds=settings.KIOSK_IDLE_SECONDS)
    sessions = _sessions(request)
    if not any(timezone.now() - s.last_step_at > quiet for s in sessions):
        return False
    for session in sessions:
        _wipe(request, session, flush=False)
    request.session.flush()
    return True


def _wipe(request, session: WorkSession, *, flush: bool = True) -> None:
    if session.is_open:
        actions.do_abandon_contact(session, by=None, terminal=request.terminal_key, wipe=True)
    if flush:
        request.session.flush()
