"""Reads about people that views and the API share, scoped to what the user may see
(`onestop.people.access` decides that)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from onestop.matching.models import SourceRecord
from onestop.people.access import can_see_person, visible_people
from onestop.people.models import Consent, Person, Property, ServiceReceived
from onestop.people.search import (
    BadSearch,
    PersonMatch,
    Terms,
    name_terms,
    parse_query,
    phone_term,
    postcode_term,
    rank_people,
)

__all__ = ["BadSearch", "PersonMatch", "PersonSearch", "can_see_person", "find_people",
           "person_records", "search_people", "services_received", "visible_people"]

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class PersonSearch:
    """What an adviser or partner typed. `text` is the one free-text box (API `q`): names,
    a postcode, a date of birth and a phone number in any order; the other fields are the
    desktop's separate boxes, and are combined with it."""

    text: str = ""
    name: str = ""
    date_of_birth: dt.date | None = None
    postcode: str = ""
    phone: str = ""

    def is_empty(self) -> bool:
        return not (self.text.strip() or self.name.strip() or self.date_of_birth
                    or self.postcode.strip() or self.phone.strip())

    def terms(self) -> Terms:
        """The parsed terms; BadSearch names the field that cannot be searched as typed."""
        terms = parse_query(self.text, field="q") if self.text.strip() else Terms()
        fields = name_terms(self.name)
        if self.name.strip() and not (fields.words or fields.initials):
            raise BadSearch("name", f"{self.name!r} has no name in it")
        if self.date_of_birth:
            fields = fields.merged(Terms(date_of_birth=self.date_of_birth))
        if self.postcode.strip():
            fields = fields.merged(Terms(postcode=postcode_term(self.postcode)))
        if self.phone.strip():
            fields = fields.merged(Terms(phone=phone_term(self.phone)))
        terms = terms.merged(fields)
        if terms.is_empty():
            raise BadSearch("q" if self.text.strip() else "name",
                            "Enter a name, postcode, date of birth or phone number")
        return terms


def search_people(user, search: PersonSearch) -> list[PersonMatch]:
    """People the user may see who match the search, best first; at most SEARCH_LIMIT.

    The ranking is `onestop.people.search.score_person`; the desktop and the API both come
    here, so they list the same people in the same order.
    """
    return rank_people(visible_people(user), search.terms(), limit=SEARCH_LIMIT)


def find_people(user, search: PersonSearch) -> list[Person]:
    """The people of `search_people`, best match first."""
    return [match.person for match in search_people(user, search)]


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


def sample_properties(user, count: int = 3) -> list[Property]:
    """A few real addresses for address questions, where the user works if it has any."""
    in_area = Property.objects.filter(authorities__in=user.authority_ids()).distinct()
    sample = list(in_area.order_by("uprn")[:count])
    return sample or list(Property.objects.order_by("uprn")[:count])


def properties_at(postcode: str, limit: int) -> list[Property]:
    """The register's addresses at a (normalised) postcode, in street order."""
    return list(Property.objects.filter(postcode=postcode).order_by("address_line_1")[:limit])


def services_received(person: Person) -> QuerySet[ServiceReceived]:
    """The services `person` already receives, each with its catalogue entry."""
    return ServiceReceived.objects.filter(person=person).select_related("service") \
        .order_by("service__label")
