"""A rule's definition: what a service owner writes, checked before it is ever saved.

    {"lgsl": 4, "scope": "household",
     "applies": "household.school_age_children >= 1",
     "not_applicable_reason": "No child of school age lives here",
     "likely_eligible": "person.receives(\\"universal_credit\\") or ...",
     "eligible_reason": "A school-age child lives here and the family gets a qualifying benefit",
     "not_eligible_reason": "Nobody here gets a benefit that brings free school meals"}

`scope` says who already having the service means it is not offered: "person" (only
the resident themselves, e.g. a blue badge) or "household" (anyone they live with, e.g.
one garden-waste subscription per home).
"""

from __future__ import annotations

from dataclasses import dataclass

from onestop.eligibility.facts import Facts
from onestop.eligibility.language import Node, RuleSyntaxError, evaluate, parse

SCOPES = ("person", "household")
TEXT_FIELDS = ("not_applicable_reason", "eligible_reason", "not_eligible_reason")
FIELDS = ("lgsl", "scope", "applies", "likely_eligible", *TEXT_FIELDS)


class RuleInvalid(ValueError):
    """The definition cannot be saved; `errors` lists every problem, each naming its field."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


class Verdict:
    NOT_APPLICABLE = "not_applicable"
    LIKELY_ELIGIBLE = "likely_eligible"
    NOT_ELIGIBLE = "not_eligible"
    RECEIVING = "receiving"


@dataclass(frozen=True)
class Outcome:
    """A rule's verdict for one resident, with its reason in plain English."""

    lgsl: int
    verdict: str
    reason: str
    deciding_facts: tuple[str, ...]
    applies: bool
    likely_eligible: bool
    receiving: bool

    @property
    def to_offer(self) -> bool:
        return self.verdict == Verdict.LIKELY_ELIGIBLE


@dataclass(frozen=True)
class RuleDefinition:
    lgsl: int
    scope: str
    applies_text: str
    likely_eligible_text: str
    applies: Node
    likely_eligible: Node
    not_applicable_reason: str
    eligible_reason: str
    not_eligible_reason: str

    @classmethod
    def from_json(cls, document: dict) -> RuleDefinition:
        """The checked definition, or RuleInvalid listing every problem."""
        if not isinstance(document, dict):
            raise RuleInvalid(["a rule is a JSON object"])
        errors = [f"{name}: unknown field" for name in document if name not in FIELDS]
        errors += [f"{name}: missing" for name in FIELDS if name not in document]
        lgsl = document.get("lgsl")
        if "lgsl" in document and (not isinstance(lgsl, int) or isinstance(lgsl, bool)
                                   or lgsl < 1):
            errors.append(f"lgsl: must be an LGSL number, not {lgsl!r}")
        if "scope" in document and document["scope"] not in SCOPES:
            errors.append(f"scope: must be person or household, not {document['scope']!r}")
        trees = {}
        for name in ("applies", "likely_eligible"):
            if name in document:
                try:
                    trees[name] = parse(document[name])
                except RuleSyntaxError as error:
                    errors.append(f"{name}: {error}")
        for name in TEXT_FIELDS:
            if name in document and (not isinstance(document[name], str)
                                     or not document[name].strip()):
                errors.append(f"{name}: write the reason in plain English")
        if errors:
            raise RuleInvalid(errors)
        return cls(lgsl=lgsl, scope=document["scope"], applies_text=document["applies"],
                   likely_eligible_text=document["likely_eligible"], applies=trees["applies"],
                   likely_eligible=trees["likely_eligible"],
                   not_applicable_reason=document["not_applicable_reason"].strip(),
                   eligible_reason=document["eligible_reason"].strip(),
                   not_eligible_reason=document["not_eligible_reason"].strip())

    @property
    def receiving_fact(self) -> str:
        return f"{self.scope}.receives_service"

    def judge(self, facts: Facts) -> Outcome:
        """The verdict for one resident (the per-person evaluator).

        Not applicable wins over everything; then a service already received is not
        offered again; then the likely-eligible condition decides."""
        applies, why_applies = evaluate(self.applies, facts)
        receiving = bool(facts.value(self.receiving_fact, self.lgsl))
        eligible, why_eligible = evaluate(self.likely_eligible, facts)
        if not applies:
            verdict, text, why = Verdict.NOT_APPLICABLE, self.not_applicable_reason, \
                why_applies
        elif receiving:
            verdict, why = Verdict.RECEIVING, []
            text = "Already receives it" if self.scope == "person" \
                else "Someone in the household already receives it"
        elif eligible:
            verdict, text = Verdict.LIKELY_ELIGIBLE, self.eligible_reason
            why = why_applies + why_eligible
        else:
            verdict, text = Verdict.NOT_ELIGIBLE, self.not_eligible_reason
            why = why_applies + why_eligible
        why = list(dict.fromkeys(why))  # a fact read twice is named once
        reason = f"{text} ({'; '.join(why)})" if why else text
        return Outcome(self.lgsl, verdict, reason, tuple(why), applies, eligible, receiving)
