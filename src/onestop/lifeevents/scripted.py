"""Life events told to an adviser inside a contact, through a service script whose outcome
is `life_event` (dialogues: "life_event": {"kind", "on", "about", "details", "informant"},
each naming the question that answers it). The contact finishes that script by reporting
the event here, in the same transaction, exactly as the adviser's life-event form does.
"""

from __future__ import annotations

import datetime as dt

from onestop.lifeevents.actions import Informant, LifeEventError, do_report_life_event
from onestop.lifeevents.models import LifeEvent
from onestop.people.models import Person


def report_from_answers(spec: dict, answers: dict, *, resident: Person | None, by,
                        channel: str) -> LifeEvent:
    """The life event the answers describe, reported; LifeEventError names what is wrong
    (in the words of the script's questions' parts: kind, about, on, details.uprn, ...)."""
    if resident is None:
        # With no resident the script's person question is free text (engine): it names
        # nobody on our records, and must never be read as a record's id.
        raise LifeEventError("about", "start the contact with the resident on our records: "
                                      "a life event is told about someone we hold")
    person = resident
    if spec.get("about"):
        about = answers.get(spec["about"])
        # The picker offers the resident and the people they live with: only those.
        household = (Person.objects.filter(household_id=resident.household_id)
                     if resident.household_id else Person.objects.filter(pk=resident.pk))
        person = household.filter(pk=about).first() if isinstance(about, int) else None
        if person is None:
            raise LifeEventError("about", "choose the resident or someone they live with")
    on = answers.get(spec["on"])
    try:
        occurred_on = dt.date.fromisoformat(on) if isinstance(on, str) else None
    except ValueError:
        occurred_on = None
    if occurred_on is None:
        raise LifeEventError("occurred_on", "say when it happened")
    details = {name: answers[question] for name, question in spec.get("details", {}).items()
               if answers.get(question) not in (None, "")}
    told = {part: str(answers.get(question) or "").strip()
            for part, question in spec.get("informant", {}).items()}
    informant = Informant(**told) if any(told.values()) else None
    # A text message to the contact centre is taken down like a call.
    channel = channel if channel in LifeEvent.Channel.values else LifeEvent.Channel.PHONE
    return do_report_life_event(answers.get(spec["kind"]), person, occurred_on, details,
                                reported_by=by, informant=informant, channel=channel)
