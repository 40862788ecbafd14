"""Every write to people, properties and households goes through here."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from onestop.core.actions import do_record_access
from onestop.core.refusals import AccessRefused
from onestop.people.access import can_see_person, may_open_records
from onestop.people.models import (
    Consent,
    ContactDetail,
    FormerHome,
    Household,
    Need,
    Person,
    Property,
)
from onestop.people.phones import normalise_phone
from onestop.people.postcodes import normalise_postcode


class PeopleError(ValueError):
    """A person, property or detail cannot be recorded as given; the message says why."""


@transaction.atomic
def do_register_property(*, uprn: int, address_line_1: str, town: str, postcode: str,
                         property_type: str, authorities, address_line_2: str = "",
                         floor: int | None = None, council_tax_band: str = "",
                         tenure: str = "") -> Property:
    canonical = normalise_postcode(postcode)
    if canonical is None:
        raise PeopleError(f"{postcode!r} is not a UK postcode")
    if property_type not in Property.Type.values:
        raise PeopleError(f"property type {property_type!r} is not one of "
                          f"{', '.join(Property.Type.values)}")
    if floor is not None and property_type not in Property.FLAT_TYPES:
        raise PeopleError("only a flat or maisonette has a floor")
    prop = Property.objects.create(
        uprn=uprn, address_line_1=address_line_1, address_line_2=address_line_2, town=town,
        postcode=canonical, property_type=property_type, floor=floor,
        council_tax_band=council_tax_band, tenure=tenure)
    prop.authorities.set(authorities)
    return prop


@transaction.atomic
def do_register_person(*, given_name: str, family_name: str, property: Property | None = None,
                       household: Household | None = None, date_of_birth: dt.date | None = None,
                       **details) -> Person:
    """A new master record; with `property`, the person joins (or starts) its household."""
    if not given_name.strip() or not family_name.strip():
        raise PeopleError("a person needs a given name and a family name")
    if household is None and property is not None:
        household = property.households.first() or Household.objects.create(property=property)
    return Person.objects.create(given_name=given_name.strip(), family_name=family_name.strip(),
                                 date_of_birth=date_of_birth, household=household, **details)


@transaction.atomic
def do_move_person(person: Person, household: Household | None) -> None:
    """Move `person` into `household` (None: out of their home, to no known address),
    keeping the home they leave as a former home."""
    if person.household_id == (household.pk if household else None):
        return
    if person.household_id is not None:
        left = Household.objects.values_list("property_id", flat=True).get(pk=person.household_id)
        FormerHome.objects.get_or_create(person=person, property_id=left)
    person.household = household
    person.save(update_fields=["household", "updated_at"])


@transaction.atomic
def do_add_phone(person: Person, raw: str, *, preferred: bool = False) -> ContactDetail:
    e164, is_mobile = normalise_phone(raw)
    return ContactDetail.objects.create(person=person, kind=ContactDetail.Kind.PHONE, value=raw,
                                        normalised=e164, is_mobile=is_mobile,
                                        is_preferred=preferred)


@transaction.atomic
def do_add_email(person: Person, raw: str, *, preferred: bool = False) -> ContactDetail:
    value = raw.strip()
    if "@" not in value or value.startswith("@") or value.endswith("@"):
        raise PeopleError(f"{raw!r} is not an email address")
    return ContactDetail.objects.create(person=person, kind=ContactDetail.Kind.EMAIL, value=value,
                                        normalised=value.lower(), is_preferred=preferred)


@transaction.atomic
def do_record_need(person: Person, kind: str, *, language: str = "") -> Need:
    if kind not in Need.Kind.values:
        raise PeopleError(f"need {kind!r} is not one of {', '.join(Need.Kind.values)}")
    if kind == Need.Kind.INTERPRETER and not language.strip():
        raise PeopleError("an interpreter need names the language")
    need, _ = Need.objects.update_or_create(person=person, kind=kind,
                                            defaults={"language": language.strip()})
    return need


@transaction.atomic
def do_record_consent(person: Person, purpose: str, *, given: bool, by=None) -> Consent:
    if purpose not in Consent.Purpose.values:
        raise PeopleError(f"consent purpose {purpose!r} is not known")
    return Consent.objects.create(person=person, purpose=purpose, given=given,
                                  recorded_at=timezone.now(), recorded_by=by)


class RecordAccessDenied(AccessRefused):
    """The user does not act for any authority the person's data belongs to."""


def do_open_person_record(user, person: Person, *, contact=None, purpose: str = "view") -> Person:
    """Record that `user` opened `person`'s record, or refuse if they may not see it.

    A refusal is logged by the one mechanism that logs every refusal
    (onestop.core.refusals), which sees the RecordAccessDenied raised here.
    """
    if not (may_open_records(user) and can_see_person(user, person)):
        raise RecordAccessDenied(f"{user} does not act for an authority that holds person "
                                 f"{person.pk}'s data", person=person, contact=contact,
                                 purpose=purpose)
    do_record_access(user=user, person=person, granted=True, contact=contact, purpose=purpose)
    return person
