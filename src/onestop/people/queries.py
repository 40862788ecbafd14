"""Reads about people that views and the API share, scoped to what the user may see.

A user acts for a set of authorities and sees a resident only where the resident's home
lies in one of them. A resident with no known address has no authority to scope by; any
user who acts for at least one authority may see them, so that a first contact can be
recorded before the address is known.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from onestop.matching.models import SourceRecord
from onestop.people.models import Consent, ContactDetail, Person, Property
from onestop.people.phones import BadPhoneNumber, normalise_phone
from onestop.people.postcodes import normalise_postcode

SEARCH_LIMIT = 50


def visible_people(user) -> QuerySet[Person]:
    authority_ids = user.authority_ids()
    if not authority_ids:
        return Person.objects.none()
    in_area = Property.authorities.through.objects.filter(
        property_id=OuterRef("household__property_id"), authority_id__in=authority_ids)
    return Person.objects.filter(Q(household__isnull=True) | Exists(in_area))


def can_see_person(user, person: Person) -> bool:
    return visible_people(user).filter(pk=person.pk).exists()


@dataclass(frozen=True)
class PersonSearch:
    name: str = ""
    date_of_birth: dt.date | None = None
    postcode: str = ""
    phone: str = ""

    def is_empty(self) -> bool:
        return not (self.name.strip() or self.date_of_birth or self.postcode.strip()
                    or self.phone.strip())


class BadSearch(ValueError):
    """A search term that cannot match anything as typed; the message says which."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def find_people(user, search: PersonSearch) -> list[Person]:
    """People the user may see who match every term given; at most SEARCH_LIMIT."""
    people = visible_people(user)
    for token in search.name.split():
        people = people.filter(Q(given_name__istartswith=token)
                               | Q(family_name__istartswith=token)
                               | Q(middle_names__istartswith=token))
    if search.date_of_birth:
        people = people.filter(date_of_birth=search.date_of_birth)
    if search.postcode.strip():
        postcode = normalise_postcode(search.postcode)
        if postcode is None:
            raise BadSearch("postcode", f"{search.postcode!r} is not a UK postcode")
        people = people.filter(household__property__postcode=postcode)
    if search.phone.strip():
        try:
            e164, _ = normalise_phone(search.phone)
        except BadPhoneNumber as error:
            raise BadSearch("phone", str(error)) from None
        people = people.filter(Exists(ContactDetail.objects.filter(
            person_id=OuterRef("pk"), kind=ContactDetail.Kind.PHONE, normalised=e164)))
    return list(people.select_related("household__property")
                .order_by("family_name", "given_name", "date_of_birth", "pk")[:SEARCH_LIMIT])


def person_records() -> QuerySet[Person]:
    """People with everything the person page shows, in a fixed number of queries."""
    return (Person.objects.select_related("household__property")
            .prefetch_related("contact_details", "needs", "benefits",
                              # Latest answer first within each purpose: the page shows it.
                              Prefetch("consents", Consent.objects.order_by(
                                  "purpose", "-recorded_at", "-id")),
                              "household__members", "household__property__authorities",
                              Prefetch("source_records", queryset=SourceRecord.objects
                                       .select_related("last_seen").order_by("source",
                                                                             "reference"))))
