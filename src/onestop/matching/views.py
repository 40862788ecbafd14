"""Clerical review of uncertain identity matches, for team leaders and administrators."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from onestop.core.access import requires_role
from onestop.matching import queries
from onestop.matching.actions import ReviewError, do_decide_pair
from onestop.matching.forms import ReviewDecisionForm
from onestop.people.actions import do_open_person_record
from onestop.staff.models import Role

PAGE_SIZE = 50
REVIEWERS = (Role.TEAM_LEADER.value, Role.ADMINISTRATOR.value)
PURPOSE = "identity review"


@requires_role(*REVIEWERS)
def review_queue(request):
    page = Paginator(queries.review_queue(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "matching/review_queue.html",
                  {"page": page, "rows": queries.queue_rows(page)})


@requires_role(*REVIEWERS)
def review_pair(request, left_id: int, right_id: int):
    if left_id > right_id:
        return redirect("matching:review-pair", left_id=right_id, right_id=left_id)
    pair = get_object_or_404(queries.pair_for_review(), left_id=left_id, right_id=right_id)
    # The page shows both residents' personal data: every opening is in the access log,
    # and a reviewer who may not see one of them is refused (and that is logged too).
    for person in {r.person_id: r.person for r in (pair.left, pair.right) if r.person}.values():
        do_open_person_record(request.user, person, purpose=PURPOSE)
    decision = queries.decision_on(pair)
    if request.method == "POST":
        form = ReviewDecisionForm(request.POST)
        if form.is_valid():
            try:
                decided = do_decide_pair(left_id=pair.left_id, right_id=pair.right_id,
                                         verdict=form.cleaned_data["verdict"],
                                         user=request.user, note=form.cleaned_data["note"])
            except ReviewError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Records {pair.left.reference} and "
                                          f"{pair.right.reference}: "
                                          f"{decided.get_verdict_display().lower()}")
                following = queries.next_pair_for_review(request.user)
                if following is None:
                    return redirect("matching:review-queue")
                return redirect("matching:review-pair", left_id=following.left_id,
                                right_id=following.right_id)
    else:
        form = ReviewDecisionForm(initial={"verdict": decision.verdict, "note": decision.note}
                                  if decision else None)
    return render(request, "matching/review_pair.html", {
        "pair": pair, "form": form, "decision": decision,
        "held_apart": queries.held_apart(pair),
        "compared": queries.side_by_side(pair.left, pair.right),
        "explanation": queries.explanation_rows(pair),
        "total": queries.weight_in_words(pair.match_weight),
        "probability": f"{pair.match_probability:.1%}",
        "left_title": queries.source_title(pair.left.source),
        "right_title": queries.source_title(pair.right.source),
    }, status=400 if form.errors else 200)
