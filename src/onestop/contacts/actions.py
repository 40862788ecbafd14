"""Every write about contacts goes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from onestop.catalogue.models import Service
from onestop.contacts.models import Contact
from onestop.people.models import Person
from onestop.people.queries import can_see_person


class ContactError(ValueError):
    """A contact cannot be logged as given; `field` names the part that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@transaction.atomic
def do_log_contact(*, recorded_by, channel: str, outcome: str, services: Sequence[Service],
                   person: Person | None = None, notes: str = "",
                   started_at: dt.datetime | None = None, ended_at: dt.datetime | None = None,
                   source_reference: str = "") -> Contact:
    """Record a finished contact with the services discussed and its outcome."""
    if channel not in Contact.Channel.values:
        raise ContactError("channel", f"channel {channel!r} is not one of "
                                      f"{', '.join(Contact.Channel.values)}")
    if outcome not in Contact.Outcome.values:
        raise ContactError("outcome", f"outcome {outcome!r} is not one of "
                                      f"{', '.join(Contact.Outcome.values)}")
    if not services:
        raise ContactError("services", "choose at least one service discussed")
    if person is not None and not can_see_person(recorded_by, person):
        raise ContactError("person", "you do not act for an authority where this person lives")
    now = timezone.now()
    ended_at = ended_at or now
    started_at = started_at or ended_at
    if started_at > ended_at:
        raise ContactError("started_at", "a contact cannot start after it ends")
    if ended_at > now + dt.timedelta(minutes=5):
        raise ContactError("ended_at", "a contact cannot end in the future")
    contact = Contact.objects.create(
        person=person, recorded_by=recorded_by, channel=channel, outcome=outcome,
        notes=notes.strip(), started_at=started_at, ended_at=ended_at,
        source_reference=source_reference)
    contact.services.set(services)
    return contact
