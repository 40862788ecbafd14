"""May OneStop contact this resident by this channel, or tell them about services, and if
not, what instead? Every sender asks here: case feedback, life-event confirmations, the
services offered on the person page and the `onestop screen` campaign list.

A resident's answers are Consent rows and the latest answer to a question counts. What
no answer recorded means:

- contact by email or by text: allowed. OneStop writes only to an address the resident
  gave, and only about something they asked for or told us (the feedback on their case,
  the confirmation of a life event), as a letter in reply would; a "no" stops it.
- being told about services they may be eligible for: allowed, as advisers offered them
  before the question was asked; a "no" stops it.

Calls and letters have no consent question: they are what the team does instead, by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from onestop.people.models import Consent, Person

Purpose = Consent.Purpose
EMAIL, SMS, PHONE, LETTER = "email", "sms", "phone", "letter"
# The consent question that governs each channel; a channel not here needs none.
CHANNEL_PURPOSES = {EMAIL: Purpose.CONTACT_BY_EMAIL, SMS: Purpose.CONTACT_BY_SMS}
# As a sentence reads them: "by email", "a letter for the team to post".
BY = {EMAIL: "by email", SMS: "by text message", PHONE: "by phone", LETTER: "by letter"}
INSTEAD = {EMAIL: "sent by email instead", SMS: "sent by text message instead",
           PHONE: "a phone call for the team to make instead",
           LETTER: "a letter for the team to post instead"}
NOT_TOLD = "Not offered: the resident asked not to be told about services"


def latest_answers(person: Person) -> dict[str, bool]:
    """Purpose → the resident's latest answer; a purpose never asked is absent. Reads the
    prefetched `person.consents` when there is one (the person page prefetches them)."""
    answers = sorted(person.consents.all(), key=lambda c: (c.recorded_at, c.pk), reverse=True)
    latest: dict[str, bool] = {}
    for answer in answers:
        latest.setdefault(answer.purpose, answer.given)
    return latest


def said_no(person: Person, purpose: str) -> bool:
    """Whether the resident's latest answer on `purpose` is no (no answer is not a no)."""
    return latest_answers(person).get(purpose) is False


def may_contact(person: Person | None, channel: str) -> bool:
    """Whether a message may go to `person` by `channel`. Someone not on our records (a
    requester or informant who typed their details) gave them to be answered on."""
    purpose = CHANNEL_PURPOSES.get(channel)
    return person is None or purpose is None or not said_no(person, purpose)


def may_offer_services(person: Person) -> bool:
    """Whether services may be offered to `person` without their asking."""
    return not said_no(person, Purpose.PROACTIVE_OFFERS)


def refusing_offers() -> set[int]:
    """The ids of every resident whose latest answer on being told about services is no
    (the campaign list leaves them out). Reads only the answers to that question."""
    latest: dict[int, bool] = {}
    answers = (Consent.objects.filter(purpose=Purpose.PROACTIVE_OFFERS)
               .order_by("person_id", "recorded_at", "id").values_list("person_id", "given"))
    for person_id, given in answers.iterator(chunk_size=5000):
        latest[person_id] = given  # oldest first: the last one seen is the latest
    return {person_id for person_id, given in latest.items() if not given}


@dataclass(frozen=True)
class ChannelChoice:
    """The channel a message goes by, and why when it is not the one it would have gone
    by. `channel` is "" when no channel in the order is both known and allowed."""

    channel: str
    to: str
    wanted: str  # what the resident's preference and the details held alone would pick
    refused: tuple[str, ...]  # channels passed over because the resident said no

    @property
    def fell_back(self) -> bool:
        return bool(self.refused)

    def note(self, who: str = "the resident") -> str:
        """Why, in words for the officer and the case history; "" when nothing fell back."""
        if not self.refused:
            return ""
        refused = " or ".join(BY[c] for c in self.refused)
        said = f"{who} asked not to be contacted {refused}"
        if not self.channel:
            return f"{said}; nothing sent"
        return f"{said}; {INSTEAD[self.channel]}"


def choose_channel(person: Person | None, addresses: Mapping[str, str],
                   order: Sequence[str]) -> ChannelChoice:
    """The first channel of `order` with an address in `addresses` that the resident allows,
    their preferred channel first when it is one of them. Never a channel they said no to."""
    preferred = person.preferred_channel if person is not None else ""
    if preferred in order:
        order = [preferred, *(c for c in order if c != preferred)]
    known = [c for c in order if addresses.get(c)]
    allowed = [c for c in known if may_contact(person, c)]
    wanted = known[0] if known else ""
    chosen = allowed[0] if allowed else ""
    # Only what was passed over before the channel used: a "no" further down changed nothing.
    passed = known[:known.index(chosen)] if chosen else known
    refused = tuple(c for c in passed if c not in allowed)
    return ChannelChoice(chosen, addresses.get(chosen, "") if chosen else "", wanted, refused)
