"""Writing eligibility rules: a draft edited part by part, its impact previewed over the
residents of the author's own councils, then published with a review date.

For service owners and administrators. The preview judges residents with the set-based
evaluator (DuckDB) but shows only counts, never a resident, and the counts under
disclosure control (onestop.eligibility.preview): a service owner sees roughly how many
people a change would start or stop offering the service to, not who.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from onestop.catalogue.models import Service
from onestop.core import disclosure
from onestop.core.access import requires_role
from onestop.core.forms import ServiceNumberForm
from onestop.core.publishing import publish_page
from onestop.eligibility import screening
from onestop.eligibility.actions import (
    RuleInvalid,
    RuleStateError,
    do_preview_rule,
    do_publish_rule,
    do_save_rule_draft,
)
from onestop.eligibility.definitions import RuleDefinition
from onestop.eligibility.facts import BENEFITS, FACTS
from onestop.eligibility.forms import RuleDraftForm
from onestop.eligibility.models import Rule, RuleVersion
from onestop.eligibility.preview import ShownImpact
from onestop.eligibility.queries import overdue_rule_reviews_for, rules
from onestop.staff.models import Role

authors_only = requires_role(Role.SERVICE_OWNER.value, Role.ADMINISTRATOR.value)


@authors_only
def rule_list(request):
    only_mine = request.GET.get("mine") == "1"
    today = timezone.localdate()
    return render(request, "eligibility/rule_list.html", {
        "rules": rules(owner=request.user if only_mine else None), "only_mine": only_mine,
        "overdue": overdue_rule_reviews_for(request.user, today), "today": today,
        "start_form": ServiceNumberForm(),
    })


@authors_only
def start_rule(request):
    """Open the draft editor for a service named by its LGSL number."""
    form = ServiceNumberForm(request.GET or None)
    if form.is_valid():
        lgsl = form.cleaned_data["lgsl"]
        if Service.objects.filter(lgsl=lgsl).exists():
            return redirect("eligibility:rule-draft", lgsl=lgsl)
        form.add_error("lgsl", f"LGSL {lgsl} is not in the service catalogue")
    return render(request, "eligibility/start_rule.html", {"form": form},
                  status=400 if form.errors else 200)


@authors_only
def rule_detail(request, lgsl: int):
    service = get_object_or_404(Service, lgsl=lgsl)
    rule = Rule.objects.filter(service=service).select_related("owner").first()
    versions = list(rule.versions.select_related("created_by", "published_by")) if rule else []
    return render(request, "eligibility/rule_detail.html", {
        "service": service, "rule": rule, "versions": versions,
        "draft": _with_status(versions, RuleVersion.Status.DRAFT),
        "published": _with_status(versions, RuleVersion.Status.PUBLISHED),
        "today": timezone.localdate(),
    })


@authors_only
def edit_rule(request, lgsl: int):
    service = get_object_or_404(Service, lgsl=lgsl)
    current = {v.status: v for v in RuleVersion.objects.filter(
        rule__service=service,
        status__in=[RuleVersion.Status.DRAFT, RuleVersion.Status.PUBLISHED])}
    draft = current.get(RuleVersion.Status.DRAFT)
    starting_from = draft or current.get(RuleVersion.Status.PUBLISHED)
    if request.method == "POST":
        form = RuleDraftForm(request.POST)
        if form.is_valid():
            try:
                saved = do_save_rule_draft(service, form.definition(service.lgsl),
                                           by=request.user,
                                           change_note=form.cleaned_data["change_note"])
            except RuleInvalid as error:
                form.show(error)
            except RuleStateError as error:
                form.add_error(None, capfirst(str(error)))
            else:
                messages.success(request, f"Draft version {saved.number} of the "
                                          f"{service.label} rule saved")
                if request.POST.get("action") == "preview":
                    return redirect("eligibility:rule-preview", lgsl=lgsl, number=saved.number)
                return redirect("eligibility:rule-detail", lgsl=lgsl)
    elif starting_from is not None:
        form = RuleDraftForm.from_definition(starting_from.definition,
                                             draft.change_note if draft else "")
    else:
        form = RuleDraftForm(initial={"scope": "person"})
    return render(request, "eligibility/edit_rule.html", {
        "service": service, "form": form, "draft": draft, "starting_from": starting_from,
        "facts": FACTS.values(), "benefits": sorted(BENEFITS.items()),
    }, status=400 if form.errors else 200)


@authors_only
def preview_rule(request, lgsl: int, number: int):
    """How many of the author's councils' residents each verdict of this version covers
    today, beside the rule in use, under disclosure control; the preview is audited."""
    version = get_object_or_404(_versions(), rule__service__lgsl=lgsl, number=number)
    try:
        seen = do_preview_rule(version, by=request.user, terminal=request.terminal_key)
    except RuleInvalid as error:  # a draft saved before a fact was withdrawn
        return render(request, "eligibility/rule_preview.html",
                      {"version": version, "problems": error.errors}, status=400)
    impact = seen.impact
    compared = impact is not None and impact.in_use is not None
    return render(request, "eligibility/rule_preview.html", {
        "version": version, "preview": seen, "method": disclosure.METHOD,
        "compared_with": version.rule.published if compared else None,
        "rows": _impact_rows(seen.definition, impact) if impact is not None else [],
    })


def _impact_rows(definition: RuleDefinition, impact: ShownImpact) -> list[dict]:
    """One row per verdict: what the person page would say, and how many it would say it to."""
    receiving = ("Already receives it" if definition.scope == "person"
                 else "Someone in the household already receives it")
    said = {"likely_eligible": ("Offered: likely eligible", definition.eligible_reason),
            "not_eligible": ("Not offered: not likely eligible", definition.not_eligible_reason),
            "receiving": ("Not offered: already receiving", receiving),
            "not_applicable": ("Hidden: not applicable", definition.not_applicable_reason)}
    return [{"verdict": verdict, "heading": said[verdict][0], "reason": said[verdict][1],
             "residents": impact.counts[verdict],
             "in_use": impact.in_use[verdict] if impact.in_use is not None else None}
            for verdict in screening.VERDICTS]


@authors_only
def publish_rule(request, lgsl: int, number: int):
    version = get_object_or_404(_versions(), rule__service__lgsl=lgsl, number=number)
    return publish_page(request, version, publish=do_publish_rule, invalid=RuleInvalid,
                        refused=RuleStateError, template="eligibility/publish_rule.html",
                        done_url=reverse("eligibility:rule-detail", args=[lgsl]),
                        what=f"{version.rule.service.label} rule")


def _versions():
    return RuleVersion.objects.select_related("rule__service", "rule__published")


def _with_status(versions: list[RuleVersion], status: str) -> RuleVersion | None:
    return next((v for v in versions if v.status == status), None)
