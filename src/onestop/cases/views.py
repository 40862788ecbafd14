"""Back-office worklists and cases; councillors' enquiries; enquiry performance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from onestop.cases import queries
from onestop.cases.access import CaseAccessDenied, can_work_case, check_may_read
from onestop.cases.actions import (
    CaseError,
    do_acknowledge_case,
    do_close_case,
    do_open_case,
    do_raise_members_enquiry,
    do_rate_enquiry,
    do_reopen_case,
    do_resolve_case,
    do_send_feedback,
    do_start_case,
)
from onestop.cases.forms import (
    FeedbackForm,
    FindConstituentForm,
    PeriodForm,
    RaiseEnquiryForm,
    RateEnquiryForm,
    ReopenForm,
    ResolveForm,
)
from onestop.cases.models import Case, CaseTransitionError
from onestop.core.access import requires_role
from onestop.people.models import Person
from onestop.people.queries import BadSearch, PersonSearch, find_people, visible_people
from onestop.staff.models import Role, Team

WORKERS = (Role.BACK_OFFICE_OFFICER, Role.TEAM_LEADER, Role.ADMINISTRATOR)
MOVED = {"acknowledge": "acknowledged", "start": "started", "resolve": "resolved",
         "close": "closed", "reopen": "reopened"}


def _rows(cases, today):
    return [(case, case.working_days_overdue(today)) for case in cases]


@requires_role(*WORKERS)
def my_worklists(request):
    return render(request, "cases/worklists.html",
                  {"teams": queries.teams_worked_by(request.user)})


@login_required
def team_worklist(request, slug: str):
    team = get_object_or_404(Team.objects.select_related("authority", "leader"), slug=slug)
    if not queries.teams_worked_by(request.user).filter(pk=team.pk).exists():
        raise PermissionDenied(f"the {team.name} worklist is for its officers and leader, "
                               f"and the administrators of {team.authority.name}")
    today = timezone.localdate()
    return render(request, "cases/team_worklist.html", {
        "team": team, "rows": _rows(queries.team_worklist(team), today), "today": today})


@requires_role(Role.TEAM_LEADER, Role.ADMINISTRATOR)
def escalated(request):
    today = timezone.localdate()
    return render(request, "cases/escalated.html", {
        "rows": _rows(queries.escalated_to(request.user), today), "today": today})


def _case_for(request, reference: str) -> tuple[Case, bool]:
    """The case and whether the user may work it; 403 unless they may at least read it
    (the councillor who raised an enquiry reads it)."""
    case = get_object_or_404(queries.case_page(reference))
    check_may_read(request.user, case)
    return case, can_work_case(request.user, case)


def _render_case(request, case: Case, may_work: bool, *, status: int = 200, error: str = "",
                 resolve_form=None, reopen_form=None, feedback_form=None):
    today = timezone.localdate()
    return render(request, "cases/case.html", {
        "case": case, "may_work": may_work, "moves": case.allowed_moves() if may_work else [],
        "overdue": case.working_days_overdue(today), "error": error,
        "resolve_form": resolve_form or ResolveForm(),
        "reopen_form": reopen_form or ReopenForm(),
        "feedback_form": feedback_form or FeedbackForm(),
        "events": list(case.events.all()), "feedback": list(case.feedback.all()),
    }, status=status)


@login_required
def case_detail(request, reference: str):
    case, may_work = _case_for(request, reference)
    do_open_case(request.user, case)
    return _render_case(request, case, may_work)


@require_POST
@login_required
def move_case(request, reference: str, move: str):
    case, may_work = _case_for(request, reference)
    forms = {}
    try:
        if move == "resolve":
            form = forms["resolve_form"] = ResolveForm(request.POST)
            if not form.is_valid():
                return _render_case(request, case, may_work, status=400, **forms)
            do_resolve_case(case, request.user, form.cleaned_data["response"])
        elif move == "reopen":
            form = forms["reopen_form"] = ReopenForm(request.POST)
            if not form.is_valid():
                return _render_case(request, case, may_work, status=400, **forms)
            do_reopen_case(case, request.user, form.cleaned_data["reason"])
        else:
            {"acknowledge": do_acknowledge_case, "start": do_start_case,
             "close": do_close_case}[move](case, request.user)
    except (CaseTransitionError, CaseError) as error:
        case.refresh_from_db(fields=["status"])
        return _render_case(request, case, may_work, status=400, error=str(error), **forms)
    messages.success(request, f"Case {case.reference} {MOVED[move]}")
    return redirect("cases:case", reference=case.reference)


@require_POST
@login_required
def send_feedback(request, reference: str):
    case, may_work = _case_for(request, reference)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, may_work, status=400, feedback_form=form)
    try:
        feedback = do_send_feedback(case, request.user, form.cleaned_data["message"])
    except CaseError as error:
        form.add_error("message", str(error))
        return _render_case(request, case, may_work, status=400, feedback_form=form)
    why = f": {feedback.consent_note}" if feedback.consent_note else ""
    messages.success(request, f"Feedback saved to send by "
                              f"{feedback.get_channel_display().lower()}{why}")
    return redirect("cases:case", reference=case.reference)


# --- councillors ---------------------------------------------------------------------------


@requires_role(Role.COUNCILLOR)
def my_enquiries(request):
    return render(request, "cases/my_enquiries.html", {
        "enquiries": queries.enquiries_of(request.user), "rate_form": RateEnquiryForm(),
        "today": timezone.localdate()})


@requires_role(Role.COUNCILLOR)
def raise_enquiry(request):
    finder = FindConstituentForm(request.GET or None)
    people = None
    if finder.is_bound and finder.is_valid():
        data = finder.cleaned_data
        if data["name"].strip() or data["postcode"].strip():
            try:
                people = find_people(request.user, PersonSearch(name=data["name"],
                                                                postcode=data["postcode"]))
            except BadSearch as error:
                field = error.field if error.field in finder.fields else None
                finder.add_error(field, str(error))
    form = RaiseEnquiryForm(request.POST if request.method == "POST" else None)
    source = request.POST if request.method == "POST" else request.GET
    chosen = _visible_person(request.user, source.get("person", ""))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["person"] and chosen is None:
            form.add_error(None, "That resident is outside the authorities you act for")
        else:
            try:
                enquiry = do_raise_members_enquiry(
                    request.user, service=data["service"], question=data["question"],
                    person=chosen, constituent_name=data["constituent_name"],
                    constituent_address=data["constituent_address"])
            except CaseError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Enquiry {enquiry.reference} raised with "
                                          f"{enquiry.team.name}; it is due to be answered by "
                                          f"{enquiry.due_on:%-d %B %Y}")
                return redirect("cases:my-enquiries")
    return render(request, "cases/raise_enquiry.html", {
        "finder": finder, "people": people, "form": form, "chosen": chosen,
    }, status=400 if request.method == "POST" and form.errors else 200)


def _visible_person(user, raw: str) -> Person | None:
    if not (raw.isdecimal() and len(raw) < 19):
        return None
    return (visible_people(user).select_related("household__property")
            .filter(pk=int(raw)).first())


@require_POST
@requires_role(Role.COUNCILLOR)
def rate_enquiry(request, reference: str):
    enquiry = get_object_or_404(Case.objects.select_related("person", "contact"),
                                reference=reference)
    if enquiry.kind != Case.Kind.MEMBERS_ENQUIRY or enquiry.councillor_id != request.user.pk:
        raise CaseAccessDenied(f"{enquiry.reference} is not an enquiry you raised", enquiry)
    form = RateEnquiryForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            do_rate_enquiry(enquiry, request.user, form.cleaned_data["rating"],
                            form.cleaned_data["comment"])
        except CaseError as failure:
            error = str(failure)
        else:
            messages.success(request, f"Thank you: enquiry {enquiry.reference} rated "
                                      f"{form.cleaned_data['rating']} out of 5")
            return redirect("cases:my-enquiries")
    else:
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    return render(request, "cases/my_enquiries.html", {
        "enquiries": queries.enquiries_of(request.user), "rate_form": form,
        "rating_error": error, "rating_reference": enquiry.reference,
        "today": timezone.localdate()}, status=400)


@requires_role(Role.TEAM_LEADER, Role.ADMINISTRATOR)
def enquiry_performance_page(request):
    form = PeriodForm(request.GET or None)
    default = queries.default_period()
    period = default
    if form.is_bound and form.is_valid():
        period = form.period(default)
    performance = queries.enquiry_performance(*period, viewer=request.user)
    return render(request, "cases/performance.html", {"form": form, "performance": performance},
                  status=400 if form.is_bound and form.errors else 200)
