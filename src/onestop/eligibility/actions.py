"""Every write about eligibility: rule drafts, publishing, loading the shipped rules, and
the offers advisers record."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from onestop.catalogue.models import Service
from onestop.core.actions import do_record_audit_event
from onestop.core.models import AuditEvent
from onestop.core.nesting import TooDeep, check_text_depth
from onestop.core.versioning import lock_document
from onestop.eligibility import preview
from onestop.eligibility.definitions import RuleDefinition, RuleInvalid
from onestop.eligibility.language import facts_named
from onestop.eligibility.models import Offer, Rule, RuleStateError, RuleVersion
from onestop.people.consent import NOT_TOLD, may_offer_services
from onestop.people.models import Person
from onestop.staff.authoring import check_author, check_keeper, give_unkept

SHIPPED_RULES = Path(__file__).with_name("content") / "rules.json"
SHIPPED_REVIEW_DAYS = 365

__all__ = ["RuleInvalid", "RuleStateError", "do_give_unowned_rules_to",
           "do_load_shipped_rules", "do_preview_rule", "do_publish_rule", "do_record_offer",
           "do_save_rule_draft"]


def _may_edit(by) -> None:
    check_author(by, what="eligibility rules", error=RuleStateError)


def _may_edit_this(rule: Rule, by) -> None:
    check_keeper(rule, by, what=f"the {rule.service.label} rule", error=RuleStateError)


def check_definition(service: Service, definition: dict | str) -> RuleDefinition:
    """The checked definition for `service`, or RuleInvalid naming every problem: a rule
    that does not parse, names an unknown fact, or asks about a service not in the
    catalogue is refused."""
    if isinstance(definition, str):
        try:
            check_text_depth(definition, 8)  # a definition is one flat object of texts
            definition = json.loads(definition)
        except TooDeep as error:
            raise RuleInvalid([f"not a rule definition: {error}"]) from None
        except json.JSONDecodeError as error:
            raise RuleInvalid([f"not JSON: {error.msg} at character {error.pos + 1}"]) from None
    parsed = RuleDefinition.from_json(definition)
    if parsed.lgsl != service.lgsl:
        raise RuleInvalid([f"lgsl: the rule is for LGSL {parsed.lgsl}, not {service.lgsl} "
                           f"({service.label})"])
    asked = {argument for tree in (parsed.applies, parsed.likely_eligible)
             for name, argument in facts_named(tree) if name.endswith(".receives_service")}
    known = set(Service.objects.filter(lgsl__in=asked).values_list("lgsl", flat=True))
    if missing := sorted(asked - known):
        raise RuleInvalid([f"receives_service({lgsl}): LGSL {lgsl} is not in the service "
                           f"catalogue" for lgsl in missing])
    return parsed


@transaction.atomic
def do_save_rule_draft(service: Service, definition: dict | str, *, by,
                       change_note: str = "") -> RuleVersion:
    """Save a service's draft rule: the open draft is updated, or a new one started."""
    _may_edit(by)
    check_definition(service, definition)
    if isinstance(definition, str):
        definition = json.loads(definition)
    rule = lock_document(Rule, service, by=by)
    _may_edit_this(rule, by)
    return RuleVersion.save_draft(rule, definition, by=by, change_note=change_note)


@transaction.atomic
def do_publish_rule(version: RuleVersion, *, by, review_by: dt.date) -> RuleVersion:
    _may_edit(by)
    # Locked, so two owners publishing a rule nobody keeps take turns: the second is refused.
    _may_edit_this(lock_document(Rule, version.rule.service, by=by), by)
    check_definition(version.rule.service, version.definition)  # facts may have changed
    version.publish(by=by, review_by=review_by)
    return version


@transaction.atomic
def do_preview_rule(version: RuleVersion, *, by, today: dt.date | None = None,
                    terminal: str = "") -> preview.RulePreview:
    """Count the author's own councils' residents by the verdict `version` gives them,
    beside the rule in use, as they may be shown (onestop.eligibility.preview), and record
    in the audit log who previewed which conditions and what they were shown.

    Raises RuleInvalid (nothing recorded) when the version no longer checks. A rule in use
    that no longer checks is left out of the comparison."""
    _may_edit(by)
    definition = RuleDefinition.from_json(version.definition)
    published = version.rule.published
    in_use = None
    if published is not None and published.pk != version.pk:
        try:
            in_use = RuleDefinition.from_json(published.definition)
        except RuleInvalid:
            published = None
    authorities = list(by.authorities.order_by("name"))
    seen = preview.count(definition, in_use, authorities, today or timezone.localdate())
    service = version.rule.service
    compared = f", against version {published.number}" if in_use is not None else ""
    do_record_audit_event(
        AuditEvent.Kind.RULE_PREVIEWED, user=by, terminal=terminal,
        detail=f"{service.label} (LGSL {service.lgsl}) rule version {version.number}{compared}",
        after={"lgsl": service.lgsl, "service": service.label, "version": version.number,
               "status": version.status, "applies": definition.applies_text,
               "likely_eligible": definition.likely_eligible_text,
               "compared_with": {"version": published.number,
                                 "applies": in_use.applies_text,
                                 "likely_eligible": in_use.likely_eligible_text}
               if in_use is not None else None,
               "authorities": [a.name for a in authorities],
               "shown": seen.impact.as_audit() if seen.impact is not None
               else "nothing: acts for no council"})
    return seen


@dataclass(frozen=True)
class LoadReport:
    published: list[int]
    unchanged: list[int]


@transaction.atomic
def do_load_shipped_rules(path: Path = SHIPPED_RULES) -> LoadReport:
    """Publish each shipped rule whose definition differs from its service's published one.

    All or nothing: one rule that does not check, or names an LGSL number not in the
    catalogue, stops the load with the rule named and nothing written."""
    try:
        definitions = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise RuleInvalid([f"{path.name}: not JSON: {error.msg} at line {error.lineno}"]) \
            from None
    if not isinstance(definitions, list):
        raise RuleInvalid([f"{path.name}: a list of rules is expected"])
    lgsls = [d.get("lgsl") for d in definitions if isinstance(d, dict)]
    services = Service.objects.in_bulk([n for n in lgsls if isinstance(n, int)],
                                       field_name="lgsl")
    problems, checked = [], []
    for number, definition in enumerate(definitions, start=1):
        lgsl = definition.get("lgsl") if isinstance(definition, dict) else None
        service = services.get(lgsl)
        if service is None:
            problems.append(f"rule {number}: LGSL {lgsl} is not in the service catalogue "
                            f"(run `onestop load_reference` first)")
            continue
        try:
            check_definition(service, definition)
        except RuleInvalid as error:
            problems += [f"rule {number} (LGSL {lgsl}): {e}" for e in error.errors]
        checked.append((service, definition))
    if len(set(lgsls)) != len(lgsls):
        problems.append(f"{path.name}: an LGSL number has more than one rule")
    if problems:
        raise RuleInvalid(problems)
    review_by = timezone.localdate() + dt.timedelta(days=SHIPPED_REVIEW_DAYS)
    current = {r.service_id: r for r in Rule.objects.select_related("published")}
    published, unchanged = [], []
    for service, definition in checked:
        rule = current.get(service.pk)
        if rule and rule.published and rule.published.definition == definition:
            unchanged.append(service.lgsl)
            continue
        version = do_save_rule_draft(service, definition, by=None,
                                     change_note=f"shipped with OneStop ({path.name})")
        version.publish(by=None, review_by=review_by)
        published.append(service.lgsl)
    return LoadReport(published, unchanged)


@transaction.atomic
def do_give_unowned_rules_to(owner) -> int:
    """Make `owner` keep every rule nobody owns (the shipped ones after a first load)."""
    return give_unkept(Rule, owner, error=RuleStateError)


class OfferError(ValueError):
    """An offer cannot be recorded as asked; the message says why."""


@transaction.atomic
def do_record_offer(person: Person, service: Service, outcome: str, *, by, terminal: str = "",
                    reason: str = "") -> Offer:
    """Record that `service` was offered to `person`, and what they said.

    `outcome` is offered, accepted or declined. Accepted adds the service to the adviser's
    open contact with this resident, in the same transaction: it is refused when there is
    none, so an acceptance never goes unactioned. A resident who said no to being told
    about services is offered nothing: only their acceptance of a service they asked about
    is recorded."""
    from onestop.contacts import actions as contact_actions
    from onestop.contacts.models import WorkSession

    if outcome not in Offer.Status.values:
        raise OfferError(f"choose offered, accepted or declined, not {outcome!r}")
    if outcome != Offer.Status.ACCEPTED and not may_offer_services(person):
        # They may still ask what they could get, and take it: only that is recorded.
        raise OfferError(f"{NOT_TOLD}; record a service only when they ask for it and "
                         f"accept it")
    session = (WorkSession.objects.filter(owner=by, closed_at__isnull=True,
                                          contact__person=person)
               .select_related("contact").first()) if by is not None else None
    if outcome == Offer.Status.ACCEPTED and session is None:
        raise OfferError(f"start a contact with {person.full_name} first: an accepted "
                         f"{service.label} goes into the contact's services")
    offer = (Offer.objects.select_for_update(of=("self",))
             .filter(person=person, service=service, status=Offer.Status.OFFERED)
             .select_related("service").first())
    if offer is None:
        rule = Rule.objects.filter(service=service).first()
        offer = Offer.objects.create(
            person=person, service=service, offered_by=by, reason=reason[:2000],
            rule_version_id=rule.published_id if rule else None,
            contact=session.contact if session else None)
    if session is not None and offer.contact_id != session.contact_id:
        offer.contact = session.contact  # take-up is counted per contact
        offer.save(update_fields=["contact"])
    if outcome == Offer.Status.ACCEPTED:
        offer.accept()
        try:
            contact_actions.do_add_service(session, service, by=by, terminal=terminal)
        except (contact_actions.WorkSessionError, contact_actions.ContactMoved) as error:
            raise OfferError(str(error) if str(error) else "the contact is open on another "
                             "terminal") from None
    elif outcome == Offer.Status.DECLINED:
        offer.decline()
    return offer
