"""A dialogue document as Python objects: read-only, built once from schema-valid JSON.

`onestop.dialogues.validation.parse` is the way in: it checks the JSON against the schema
and the cross-references the schema cannot see, then calls `Dialogue.from_json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Facts about the contact that every dialogue may read, besides its own questions and
# computed values. A fact with no value (no resident, no property) is simply unknown.
CONTEXT_FACTS = frozenset({
    "person.age", "person.has_disability", "household.size", "household.children_under_16",
    "property.type", "property.floor", "property.council_tax_band", "property.tenure",
    "channel", "today.month",
})
CHANNELS = ("adviser", "self_service", "kiosk")
# Outcomes that hand work to the back office: a contact that has one is not resolved at
# first contact.
REFERRING_OUTCOMES = frozenset({"referral", "service_request"})
OUTCOME_TYPES = {
    "resolved": "Resolved now", "signposted": "Signposted elsewhere",
    "referral": "Referred to the back office", "service_request": "Service request raised",
    "payment": "Payment due", "appointment": "Appointment needed",
    "life_event": "Life event reported to every service it affects",
}
# The question type each part of a life_event outcome must be answered by.
LIFE_EVENT_QUESTION_TYPES = {"kind": "choice", "about": "person", "on": "date"}
# The details a life event can carry (lifeevents.actions reads them by these names).
LIFE_EVENT_DETAILS = frozenset({"child_given_name", "child_family_name", "uprn", "new_address",
                                "given_name", "family_name", "cared_for"})


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    hint: str = ""
    required: bool = True
    ask_when: dict | None = None
    options: tuple[Option, ...] = ()
    multiline: bool = False
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    whole_number: bool = False
    not_in_future: bool = False
    not_in_past: bool = False
    include_self: bool = False
    locates_service: bool = False

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


@dataclass(frozen=True)
class Route:
    when: dict | None
    goto: str | None
    outcome: str | None


@dataclass(frozen=True)
class Faq:
    question: str
    answer: str


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    next: tuple[Route, ...]
    guidance: str = ""
    faq: tuple[Faq, ...] = ()
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Outcome:
    id: str
    type: str
    title: str
    say: str = ""
    sla_working_days: int | None = None
    priority: str = ""
    amount_pence: int | None = None
    amount_from: str = ""
    appointment_with: str = ""
    signpost_to: str = ""
    # {"kind", "on", "about", "details": {name: question}, "informant": {part: question}}
    life_event: dict | None = None

    @property
    def type_label(self) -> str:
        return OUTCOME_TYPES[self.type]

    @property
    def refers(self) -> bool:
        return self.type in REFERRING_OUTCOMES


@dataclass(frozen=True)
class Computed:
    id: str
    value: dict
    label: str = ""


@dataclass(frozen=True)
class Dialogue:
    lgsl: int
    title: str
    channels: tuple[str, ...]
    start: str
    pages: dict[str, Page]
    outcomes: dict[str, Outcome]
    computed: tuple[Computed, ...] = ()
    summary: str = ""
    questions: dict[str, Question] = field(default_factory=dict)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Dialogue:
        pages = {p["id"]: _page(p) for p in doc["pages"]}
        return cls(
            lgsl=doc["lgsl"], title=doc["title"], summary=doc.get("summary", ""),
            channels=tuple(doc["channels"]), start=doc["start"], pages=pages,
            outcomes={o["id"]: Outcome(**o) for o in doc["outcomes"]},
            computed=tuple(Computed(**c) for c in doc.get("computed", [])),
            questions={q.id: q for page in pages.values() for q in page.questions},
        )

    def page_of(self, question_id: str) -> Page:
        return next(p for p in self.pages.values() if any(q.id == question_id
                                                          for q in p.questions))


def _page(raw: dict) -> Page:
    questions = tuple(
        Question(**{**q, "options": tuple(Option(**o) for o in q.get("options", []))})
        for q in raw.get("questions", []))
    return Page(
        id=raw["id"], title=raw["title"], guidance=raw.get("guidance", ""),
        faq=tuple(Faq(**f) for f in raw.get("faq", [])), questions=questions,
        next=tuple(Route(r.get("when"), r.get("goto"), r.get("outcome")) for r in raw["next"]),
    )
