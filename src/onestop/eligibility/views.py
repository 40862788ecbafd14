"""The adviser's answer to a recommendation on the person page: offered, accepted, declined."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from onestop.core.access import requires_role
from onestop.eligibility.actions import OfferError, do_record_offer
from onestop.eligibility.models import Offer, RuleStateError
from onestop.eligibility.queries import recommendations_for
from onestop.people.actions import do_open_person_record
from onestop.people.consent import NOT_TOLD
from onestop.people.models import Person

VERBS = {Offer.Status.OFFERED: "offered", Offer.Status.ACCEPTED: "accepted and added to "
         "the contact", Offer.Status.DECLINED: "declined"}


@requires_role("adviser", "team_leader")
@require_POST
def record_offer(request, person_id: int):
    person = get_object_or_404(Person.objects.select_related("household__property"),
                               pk=person_id)
    do_open_person_record(request.user, person, purpose="record offer")
    back = reverse("contacts:person", args=[person.pk])
    # What may be offered is worked out again here, never taken from the form.
    wanted = request.POST.get("lgsl", "")
    found = recommendations_for(person)
    outcome = request.POST.get("outcome", "")
    # A resident who said no to being told about services may still ask and accept one.
    offerable = found.to_offer + (found.on_request if outcome == Offer.Status.ACCEPTED else [])
    recommendation = next((r for r in offerable if str(r.service.lgsl) == wanted), None)
    if recommendation is None:
        messages.error(request, NOT_TOLD if found.offers_refused else
                       "That service is not recommended for this resident")
        return redirect(back)
    try:
        do_record_offer(person, recommendation.service, outcome, by=request.user,
                        terminal=request.terminal_key, reason=recommendation.outcome.reason)
    except (OfferError, RuleStateError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{recommendation.service.label}: {VERBS[outcome]}")
    return redirect(back)
