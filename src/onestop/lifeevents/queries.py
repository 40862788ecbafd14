"""Reads about life events that pages and the API share."""

from __future__ import annotations

from django.db.models import QuerySet

from onestop.lifeevents.mapping import EventKind
from onestop.lifeevents.models import LifeEvent, SelfServiceReport
from onestop.people.models import Person
from onestop.people.queries import visible_people


def event_with_notices() -> QuerySet[LifeEvent]:
    """Events with everything their page shows, in a fixed number of queries."""
    return (LifeEvent.objects.select_related("person", "reported_by", "confirmation",
                                             "informant_person")
            .prefetch_related("notices__service", "notices__authority", "notices__team",
                              "notices__outbox_message", "notices__case"))


def is_carer(person: Person) -> bool:
    """Whether the person has been reported as becoming a carer (the record of it)."""
    return person.life_events.filter(kind=EventKind.BECOMING_CARER).exists()


def find_resident(*, given_name: str, family_name: str, date_of_birth, postcode: str
                  ) -> Person | None:
    """The one living resident with exactly this name and date of birth at an address in
    `postcode` (normalised), else None: self-service reports only for a sure match."""
    found = list(Person.objects.filter(
        given_name__iexact=given_name.strip(), family_name__iexact=family_name.strip(),
        date_of_birth=date_of_birth, household__property__postcode=postcode,
        date_of_death__isnull=True)[:2])
    return found[0] if len(found) == 1 else None


def reports_to_check(user) -> QuerySet[SelfServiceReport]:
    """Self-service reports waiting for an adviser, for residents `user` may see."""
    return (SelfServiceReport.objects
            .filter(status=SelfServiceReport.Status.REPORTED,
                    person__in=visible_people(user))
            .select_related("person"))
