"""Authoring service scripts: drafts edited as JSON, previewed page by page, then published.

For service owners and administrators. The preview runs a version with the same engine
and page templates as every front end, keeping its run in the Django session only: it
records no contact, no work session and no answer anywhere else.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from onestop.catalogue.models import Service
from onestop.core.access import requires_role
from onestop.core.forms import ServiceNumberForm
from onestop.core.publishing import publish_page
from onestop.dialogues import engine
from onestop.dialogues.actions import (
    DialogueInvalid,
    DialogueStateError,
    do_publish,
    do_save_draft,
)
from onestop.dialogues.forms import DraftForm
from onestop.dialogues.models import Dialogue, DialogueVersion
from onestop.dialogues.presentation import outcome_view, page_view
from onestop.dialogues.queries import overdue_reviews_for, scripts
from onestop.dialogues.validation import parse
from onestop.people.models import Property
from onestop.people.postcodes import normalise_postcode
from onestop.people.queries import sample_properties
from onestop.staff.models import Role

AUTHORS = (Role.SERVICE_OWNER.value, Role.ADMINISTRATOR.value)
SAMPLE_ADDRESSES = 3
FOUND_ADDRESSES = 20
# A made-up household for person questions: nobody real is shown in a preview. The ids
# only need to be distinct from each other.
SAMPLE_PEOPLE = {1: "Sample resident", 2: "Sample child"}

authors_only = requires_role(*AUTHORS)


# --- the list of scripts -------------------------------------------------------------------

@authors_only
def script_list(request):
    only_mine = request.GET.get("mine") == "1"
    today = timezone.localdate()
    return render(request, "dialogues/script_list.html", {
        "dialogues": scripts(owner=request.user if only_mine else None),
        "overdue": overdue_reviews_for(request.user, today), "only_mine": only_mine,
        "today": today, "start_form": ServiceNumberForm(),
    })


@authors_only
def start_script(request):
    """Open the draft editor for a service named by its LGSL number."""
    form = ServiceNumberForm(request.GET or None)
    if form.is_valid():
        lgsl = form.cleaned_data["lgsl"]
        if Service.objects.filter(lgsl=lgsl).exists():
            return redirect("dialogues:draft", lgsl=lgsl)
        form.add_error("lgsl", f"LGSL {lgsl} is not in the service catalogue")
    return render(request, "dialogues/start_script.html", {"form": form},
                  status=400 if form.errors else 200)


# --- one service's script ------------------------------------------------------------------

@authors_only
def script_detail(request, lgsl: int):
    service = get_object_or_404(Service, lgsl=lgsl)
    dialogue = Dialogue.objects.filter(service=service).select_related("owner").first()
    versions = list(dialogue.versions.select_related("created_by", "published_by")) \
        if dialogue else []
    draft = next((v for v in versions if v.status == DialogueVersion.Status.DRAFT), None)
    published = next((v for v in versions if v.status == DialogueVersion.Status.PUBLISHED),
                     None)
    return render(request, "dialogues/script_detail.html", {
        "service": service, "dialogue": dialogue, "versions": versions, "draft": draft,
        "published": published, "today": timezone.localdate(),
    })


@authors_only
def edit_draft(request, lgsl: int):
    service = get_object_or_404(Service, lgsl=lgsl)
    versions = DialogueVersion.objects.filter(
        dialogue__service=service,
        status__in=[DialogueVersion.Status.DRAFT, DialogueVersion.Status.PUBLISHED])
    current = {v.status: v for v in versions}
    draft = current.get(DialogueVersion.Status.DRAFT)
    starting_from = draft or current.get(DialogueVersion.Status.PUBLISHED)
    if request.method == "POST":
        form = DraftForm(request.POST)
        if form.is_valid():
            try:
                saved = do_save_draft(service, form.cleaned_data["document"], by=request.user,
                                      change_note=form.cleaned_data["change_note"])
            except (DialogueInvalid, DialogueStateError) as error:
                for message in getattr(error, "errors", [str(error)]):
                    form.add_error("document", message)
            else:
                messages.success(request, f"Draft version {saved.number} of the "
                                          f"{service.label} script saved")
                if request.POST.get("action") == "preview":
                    return redirect("dialogues:preview", lgsl=lgsl, number=saved.number)
                return redirect("dialogues:detail", lgsl=lgsl)
    else:
        document = starting_from.document if starting_from else starter_document(service)
        form = DraftForm(initial={
            "document": json.dumps(document, indent=2, ensure_ascii=False),
            "change_note": draft.change_note if draft else ""})
    return render(request, "dialogues/edit_draft.html", {
        "service": service, "form": form, "draft": draft, "starting_from": starting_from,
    }, status=400 if form.errors else 200)


def starter_document(service: Service) -> dict:
    """The smallest script that validates for `service`: one question, one outcome."""
    return {
        "format": 1,
        "lgsl": service.lgsl,
        "title": service.label,
        "summary": f"What an adviser asks and tells a resident about {service.label}.",
        "channels": ["adviser"],
        "start": "what_is_needed",
        "pages": [{
            "id": "what_is_needed",
            "title": "What does the resident need?",
            "guidance": "Ask the resident what they need, then tell them what happens next.",
            "questions": [{"id": "request", "type": "text", "label": "What they asked for",
                           "multiline": True, "max_length": 2000}],
            "next": [{"outcome": "resolved"}],
        }],
        "outcomes": [{"id": "resolved", "type": "resolved", "title": "Resolved now",
                      "say": "Tell the resident what has been done."}],
    }


# --- preview -------------------------------------------------------------------------------

@authors_only
def preview(request, lgsl: int, number: int):
    version = get_object_or_404(_versions(), dialogue__service__lgsl=lgsl, number=number)
    try:
        dialogue = parse(version.document)
    except DialogueInvalid as error:
        return render(request, "dialogues/preview_broken.html",
                      {"version": version, "errors": error.errors}, status=400)
    key = f"dialogues.preview.{version.pk}"
    run = _preview_run(request, key, version, dialogue)
    state, context = run["state"], run["context"]
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        if action == "restart":
            request.session.pop(key, None)
            return redirect(request.path)
        try:
            state.check_step(request.POST)
        except engine.StaleStep:
            messages.error(request, "That page had already been answered, so nothing was "
                                    "changed. This is where the preview is now.")
            return redirect(request.path)
        if action == "back":
            engine.go_back(state)
            _keep(request, key, run)
            return redirect(request.path)
        if request.POST.get("find") and not state.finished:
            # An address search: the page again with the addresses found, nothing answered.
            errors = _find_addresses(request.POST, run)
            _keep(request, key, run)
            return _render_page(request, version, dialogue, state, run["context"],
                                raw=request.POST, errors=errors, status=400 if errors else 200)
        if not state.finished:
            errors = engine.submit(dialogue, state, request.POST, context)
            if errors:
                return _render_page(request, version, dialogue, state, context,
                                    raw=request.POST, errors=errors, status=400)
            _keep(request, key, run)
        return redirect(request.path)
    return _render_page(request, version, dialogue, state, context)


def _render_page(request, version, dialogue, state, context, *, raw=None, errors=None,
                 status: int = 200):
    """The page an adviser would see at this point of the run, or the outcome."""
    return render(request, "dialogues/preview.html", {
        "version": version, "dialogue": dialogue,
        "view": None if state.finished else page_view(dialogue, state, context, raw=raw,
                                                      errors=errors),
        "end": outcome_view(dialogue, state, context) if state.finished else None,
        "answered": engine.summary(dialogue, state, context),
        "can_go_back": bool(state.trail), "step": state.step,
    }, status=status)


def _fingerprint(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:16]


def _preview_run(request, key: str, version: DialogueVersion, dialogue) -> dict:
    """The preview's run from the session, begun afresh if none or the draft has changed.

    The sample addresses are fixed when a run begins, so an answer keeps its label."""
    stored = request.session.get(key)
    fingerprint = _fingerprint(version.document)
    if stored is None or stored.get("fingerprint") != fingerprint:
        stored = {"fingerprint": fingerprint, "state": engine.RunState.begin(dialogue).to_json(),
                  "addresses": [[p.uprn, p.one_line_address]
                                for p in sample_properties(request.user, SAMPLE_ADDRESSES)]}
    run = {"fingerprint": fingerprint, "state": engine.RunState.from_json(stored["state"]),
           "addresses": [list(pair) for pair in stored["addresses"]]}
    run["context"] = _context(run)
    return run


def _context(run: dict) -> engine.Context:
    return engine.Context(today=timezone.localdate(), channel="adviser",
                          addresses={int(uprn): label for uprn, label in run["addresses"]},
                          people=SAMPLE_PEOPLE)


def _keep(request, key: str, run: dict) -> None:
    request.session[key] = {"fingerprint": run["fingerprint"], "state": run["state"].to_json(),
                            "addresses": run["addresses"]}


def _find_addresses(post, run: dict) -> dict[str, str]:
    """Add the register's addresses at the postcode typed to the run's picker choices."""
    question = post["find"]
    typed = post.get(f"q_{question}-postcode", "")
    postcode = normalise_postcode(typed)
    if postcode is None:
        return {question: "Enter a real postcode, like IP14 1AB"}
    found = Property.objects.filter(postcode=postcode).order_by("address_line_1", "uprn")
    known = {uprn for uprn, _ in run["addresses"]}
    added = [[p.uprn, p.one_line_address] for p in found[:FOUND_ADDRESSES]
             if p.uprn not in known]
    if not added and not found.exists():
        return {question: f"No addresses found at {postcode}"}
    run["addresses"] = added + run["addresses"]
    run["context"] = _context(run)
    return {}


# --- publishing ----------------------------------------------------------------------------

@authors_only
def publish(request, lgsl: int, number: int):
    version = get_object_or_404(_versions(), dialogue__service__lgsl=lgsl, number=number)
    detail_url = reverse("dialogues:detail", args=[lgsl])
    return publish_page(request, version, publish=do_publish, invalid=DialogueInvalid,
                        refused=DialogueStateError, template="dialogues/publish.html",
                        done_url=detail_url, context={"detail_url": detail_url},
                        what=f"{version.dialogue.service.label} script")


# --- reads for these pages -----------------------------------------------------------------
# Used only by the authoring pages; they belong with onestop.dialogues.queries.

def _versions():
    return DialogueVersion.objects.select_related("dialogue__service")
