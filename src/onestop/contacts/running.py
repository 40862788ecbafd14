"""What the dialogue engine may know during a contact: facts, addresses, household.

Reads only. The address picker offers the resident's home, any address already chosen,
and the addresses at a postcode typed on the page; the person picker offers the household.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from onestop.contacts.models import Contact, ContactService
from onestop.dialogues.engine import Context
from onestop.people.models import Person, Property
from onestop.people.postcodes import normalise_postcode

ADDRESS_CHOICES = 60
ENGINE_CHANNEL = {Contact.Channel.WEB: "self_service", Contact.Channel.KIOSK: "kiosk"}


def home_of(person: Person | None) -> Property | None:
    household = person.household if person else None
    return household.property if household else None


def run_context(item: ContactService, raw: Mapping[str, Any] | None = None) -> Context:
    """The engine context for the current page of `item`'s run."""
    contact = item.contact
    person = contact.person
    today = timezone.localdate()
    home = home_of(person) or contact.requester_property
    members = list(person.household.members.all()) if person and person.household else []
    facts: dict[str, Any] = {}
    if person is not None:
        facts["person.age"] = person.age_on(today)
        facts["person.has_disability"] = person.has_disability
    if members:
        facts["household.size"] = len(members)
        ages = [m.age_on(today) for m in members]
        facts["household.children_under_16"] = sum(1 for a in ages if a is not None and a < 16)
    if home is not None:
        facts.update({"property.type": home.property_type, "property.floor": home.floor,
                      "property.council_tax_band": home.council_tax_band or None,
                      "property.tenure": home.tenure or None})
    return Context(today=today, channel=ENGINE_CHANNEL.get(contact.channel, "adviser"),
                   facts=facts, addresses=_addresses(item, home, raw),
                   people=_people(person, members), resident=person.pk if person else None)


def _addresses(item: ContactService, home: Property | None, raw) -> dict[int, str]:
    """Home, the addresses already chosen, and those at a postcode searched on the page.

    Nothing else: a UPRN typed into the form is not offered just because it exists, so a
    resident cannot read the register back one UPRN at a time."""
    dialogue = item.dialogue_version.parsed
    answers = item.run.get("answers", {})
    uprns = {answers[q.id] for q in dialogue.questions.values()
             if q.type == "address" and isinstance(answers.get(q.id), int)}
    postcodes = set()
    for key, value in (raw or {}).items():
        if key.startswith("q_") and key.endswith("-postcode") and isinstance(value, str):
            postcode = normalise_postcode(value)
            if postcode:
                postcodes.add(postcode)
    found: dict[int, str] = {}
    if home is not None:
        found[home.uprn] = f"{home.one_line_address} (home)"
    properties = Property.objects.filter(uprn__in=uprns) if uprns else Property.objects.none()
    for prop in properties.order_by("address_line_1"):
        found.setdefault(prop.uprn, prop.one_line_address)
    if postcodes:
        at_postcode = Property.objects.filter(postcode__in=postcodes).order_by(
            "address_line_1")[:ADDRESS_CHOICES]
        for prop in at_postcode:
            found.setdefault(prop.uprn, prop.one_line_address)
    return found


def _people(person: Person | None, members: list[Person]) -> dict[int, str]:
    if person is None:
        return {}
    chosen = {person.pk: f"{person.full_name} (the resident)"}
    for member in members:
        if member.pk != person.pk:
            born = f", born {member.date_of_birth:%Y}" if member.date_of_birth else ""
            chosen[member.pk] = f"{member.full_name}{born}"
    return chosen
