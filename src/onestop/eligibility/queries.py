"""Reads about eligibility that the person page, the screening command and insight share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone

from onestop.authorities.models import Authority
from onestop.authorities.queries import providers_at
from onestop.catalogue.models import Service
from onestop.contacts.models import Contact
from onestop.eligibility.definitions import Outcome, RuleDefinition, Verdict
from onestop.eligibility.facts import facts_for
from onestop.eligibility.models import Offer, Rule, RuleVersion
from onestop.people.consent import may_offer_services
from onestop.staff.authoring import own_first


def published_rules() -> list[tuple[Service, RuleVersion, RuleDefinition]]:
    """Every published rule with its service, in the catalogue's order."""
    rules = (Rule.objects.filter(published__isnull=False)
             .select_related("service", "published").order_by("service__label"))
    return [(rule.service, rule.published, rule.published.parsed) for rule in rules]


@dataclass(frozen=True)
class Recommendation:
    service: Service
    outcome: Outcome
    provider: Authority | None
    offer: Offer | None  # the latest offer of this service to the resident


@dataclass(frozen=True)
class Recommendations:
    to_offer: list[Recommendation]  # likely eligible, not receiving
    not_applicable: list[Recommendation]
    others: list[Recommendation]  # receiving already, or not likely eligible
    # The resident said no to being told about services: nothing is offered, and what
    # would have been is here, for an adviser to answer them if they ask.
    offers_refused: bool = False
    on_request: list[Recommendation] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.to_offer or self.not_applicable or self.others or self.on_request)


def recommendations_for(person, today: dt.date | None = None) -> Recommendations:
    """Every published rule judged for `person` by the per-person evaluator, with who
    provides each service at their home and any offer already made. Nothing is to offer
    to a resident who said no to being told about services (onestop.people.consent)."""
    today = today or timezone.localdate()
    rules = published_rules()
    if not rules or person.date_of_death is not None:
        return Recommendations([], [], [])
    facts = facts_for(person, today)
    prop = person.household.property if person.household_id else None
    providers = dict(providers_at(prop, [s for s, _, _ in rules])) if prop else {}
    offers: dict[int, Offer] = {}
    for offer in Offer.objects.filter(person=person).order_by("offered_at"):
        offers[offer.service_id] = offer
    groups: dict[str, list[Recommendation]] = {"offer": [], "na": [], "other": []}
    for service, _, definition in rules:
        outcome = definition.judge(facts)
        group = {Verdict.LIKELY_ELIGIBLE: "offer", Verdict.NOT_APPLICABLE: "na"}.get(
            outcome.verdict, "other")
        groups[group].append(Recommendation(service, outcome, providers.get(service),
                                            offers.get(service.pk)))
    if not may_offer_services(person):
        return Recommendations([], groups["na"], groups["other"], offers_refused=True,
                               on_request=groups["offer"])
    return Recommendations(groups["offer"], groups["na"], groups["other"])


def overdue_rule_reviews(today: dt.date, *, owner=None) -> list[RuleVersion]:
    """Published rules past their review date, oldest first (for `owner` if given)."""
    versions = RuleVersion.objects.filter(status=RuleVersion.Status.PUBLISHED,
                                          review_by__lt=today)
    if owner is not None:
        versions = versions.filter(rule__owner=owner)
    return list(versions.select_related("rule__service", "rule__owner").order_by("review_by"))


def cross_service_take_up() -> int:
    """Residents who took two or more extra services in one contact about something else:
    at least two accepted offers in a contact that also had a service nobody offered."""
    per_contact = list(
        Offer.objects.filter(status=Offer.Status.ACCEPTED, contact__isnull=False)
        .values("person_id", "contact_id")
        .annotate(taken=Count("service_id", distinct=True)).filter(taken__gte=2))
    services = dict(Contact.services.through.objects
                    .filter(contact_id__in=[row["contact_id"] for row in per_contact])
                    .values("contact_id").annotate(n=Count("service_id"))
                    .values_list("contact_id", "n"))
    return len({row["person_id"] for row in per_contact
                if services.get(row["contact_id"], 0) > row["taken"]})


def rules(*, owner=None) -> list[Rule]:
    """Every rule with its service, owner, published version and any open draft."""
    drafts = RuleVersion.objects.filter(status=RuleVersion.Status.DRAFT)
    found = (Rule.objects.select_related("service", "owner", "published")
             .prefetch_related(Prefetch("versions", queryset=drafts, to_attr="drafts"))
             .order_by("service__label"))
    if owner is not None:
        found = found.filter(owner=owner)
    return list(found)


def overdue_rule_reviews_for(user, today: dt.date) -> list[RuleVersion]:
    """A service owner's own overdue rules; administrators see all, their own first."""
    return own_first(user, lambda owner: overdue_rule_reviews(today, owner=owner))
