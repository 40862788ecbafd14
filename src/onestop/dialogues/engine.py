"""The dialogue engine: one implementation for the adviser desktop, self-service and kiosks.

Pure functions over a parsed `Dialogue`, the answers given so far and a `Context` (facts
about the contact and lookups for address and person pickers). Nothing here touches the
database: the contacts context stores the `RunState` after every step, so a run can stop
on one terminal and go on at another.

Conditions and computed values are JSON structures, never evaluated code: a service owner
cannot write anything that runs. An unknown fact (a question skipped or not yet reached, a
contact with no resident) makes every comparison false except `answered: false`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from onestop.core.workingdays import working_days_between
from onestop.dialogues.document import Dialogue, Outcome, Page, Question

NUMBER = re.compile(r"^-?[0-9]{1,12}(\.[0-9]{1,6})?$")
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\}")
MAX_TEXT = 5000


class DialogueBroken(RuntimeError):
    """A published dialogue did something validation should have caught (a bug)."""


class StaleStep(ValueError):
    """A form drawn for an earlier step came back (a double click, a second tab, the Back
    button): answering it would answer whatever page the run is on now."""


@dataclass(frozen=True)
class Context:
    """What the engine may know about the contact besides the answers."""

    today: dt.date
    channel: str = "adviser"
    facts: Mapping[str, Any] = field(default_factory=dict)  # person.age, property.type, …
    # Pickers: the choices the front end offered, id → label. An answer must be one of them.
    addresses: Mapping[int, str] = field(default_factory=dict)
    people: Mapping[int, str] = field(default_factory=dict)
    resident: int | None = None  # which of `people` the contact is with


def people_for(question: Question, context: Context) -> dict[int, str]:
    """The household a person question offers: without the resident unless it asks."""
    return {pid: label for pid, label in context.people.items()
            if question.include_self or pid != context.resident}


@dataclass
class RunState:
    """Where one run of a dialogue has got to; stored as JSON after every step."""

    page: str | None
    answers: dict[str, Any] = field(default_factory=dict)
    trail: list[str] = field(default_factory=list)  # pages answered, in order
    outcome: str | None = None

    @classmethod
    def begin(cls, dialogue: Dialogue) -> RunState:
        return cls(page=dialogue.start)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> RunState:
        return cls(page=raw.get("page"), answers=dict(raw.get("answers", {})),
                   trail=list(raw.get("trail", [])), outcome=raw.get("outcome"))

    def to_json(self) -> dict[str, Any]:
        return {"page": self.page, "answers": self.answers, "trail": self.trail,
                "outcome": self.outcome}

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    @property
    def step(self) -> str:
        """Names this point of the run; every page's form carries it back."""
        return f"{self.page or 'end'}.{len(self.trail)}"

    def check_step(self, raw: Mapping[str, Any]) -> None:
        submitted = raw.get("step", "")
        if isinstance(submitted, list):
            submitted = submitted[-1] if submitted else ""
        if submitted != self.step:
            raise StaleStep(f"that form was for an earlier step (at {self.step!r} now, "
                            f"not {submitted!r})")


# --- facts, conditions and computed values ------------------------------------------------

def facts(dialogue: Dialogue, answers: Mapping[str, Any], context: Context) -> dict[str, Any]:
    """Every known fact: context, answers, then computed values in document order."""
    known: dict[str, Any] = {k: v for k, v in context.facts.items() if v is not None}
    known["channel"] = context.channel
    known["today.month"] = context.today.month  # seasons: heating, garden waste rounds
    known.update({k: v for k, v in answers.items() if v is not None})
    for computed in dialogue.computed:
        value = compute(computed.value, known, context.today)
        if value is not None:
            known[computed.id] = value
    return known


def holds(condition: Mapping[str, Any] | None, known: Mapping[str, Any]) -> bool:
    if condition is None:
        return True
    if "all" in condition:
        return all(holds(c, known) for c in condition["all"])
    if "any" in condition:
        return any(holds(c, known) for c in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], known)
    name = condition["fact"]
    (operator, expected), = ((k, v) for k, v in condition.items() if k != "fact")
    if operator == "answered":
        return (name in known) is expected
    if name not in known:
        return False
    value = known[name]
    match operator:
        case "equals":
            return value == expected
        case "not_equals":
            return value != expected
        case "in":
            return value in expected
        case "includes":
            return isinstance(value, list) and expected in value
    if not _is_number(value):
        return False
    match operator:
        case "at_least":
            return value >= expected
        case "at_most":
            return value <= expected
        case "less_than":
            return value < expected
        case "more_than":
            return value > expected
    raise DialogueBroken(f"unknown condition operator {operator!r}")


def compute(expression: Mapping[str, Any], known: Mapping[str, Any], today: dt.date):
    """The value of a computed expression, or None when a fact it needs is unknown."""
    (kind, arg), *rest = expression.items()
    if kind in ("years_since", "days_since", "working_days_since"):
        day = _date(known.get(arg))
        if day is None:
            return None
        if kind == "days_since":
            return (today - day).days
        if kind == "working_days_since":
            return working_days_between(day, today)
        years = today.year - day.year - ((today.month, today.day) < (day.month, day.day))
        return years
    if kind == "count_true":
        return sum(holds(c, known) for c in arg)
    if kind == "choose":
        for choice in arg:
            if holds(choice["when"], known):
                return choice["value"]
        return dict(rest).get("otherwise")
    values = [_operand(o, known, today) for o in arg]
    if any(v is None for v in values):
        return None
    if kind == "sum":
        return sum(values)
    if kind == "product":
        result = 1
        for v in values:
            result *= v
        return result
    if kind == "difference":
        return values[0] - values[1]
    raise DialogueBroken(f"unknown expression {kind!r}")


def _operand(operand, known, today):
    if _is_number(operand):
        return operand
    if "fact" in operand:
        value = known.get(operand["fact"])
        return value if _is_number(value) else None
    return compute(operand, known, today)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


# --- pages ---------------------------------------------------------------------------------

def asked(page: Page, known: Mapping[str, Any]) -> list[Question]:
    """The questions of a page that apply, given the facts known before it is answered.

    A question whose `ask_when` names a question on the same page is shown; whether it
    applies is settled when the page is submitted (see `clean_page`)."""
    same_page = {q.id for q in page.questions}
    return [q for q in page.questions
            if q.ask_when is None or names_any(q.ask_when, same_page)
            or holds(q.ask_when, known)]


def clean_page(dialogue: Dialogue, page: Page, raw: Mapping[str, Any],
               answers: Mapping[str, Any], context: Context
               ) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a page's submitted values. Returns (answers for the page, errors by question).

    `raw` maps `q_<id>` (and `q_<id>-day/-month/-year` for dates) to submitted strings, or
    to lists of strings for multiple choice (a Django QueryDict works). A question that
    does not apply is returned as None, so an answer given earlier on another path is
    cleared rather than kept."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    others = {k: v for k, v in answers.items() if k not in {q.id for q in page.questions}}
    for question in page.questions:
        try:
            cleaned[question.id] = _clean(question, raw, context)
        except ValueError as error:
            errors[question.id] = str(error)
    # Settle same-page `ask_when` on the page's own answers; drop what does not apply.
    known = facts(dialogue, {**others, **{k: v for k, v in cleaned.items()
                                          if k not in errors}}, context)
    for question in page.questions:
        if question.ask_when is not None and not holds(question.ask_when, known):
            cleaned[question.id] = None
            errors.pop(question.id, None)
        elif question.id not in errors and cleaned[question.id] is None and question.required:
            errors[question.id] = _missing(question)
    return cleaned, errors


def next_step(dialogue: Dialogue, page: Page, known: Mapping[str, Any]) -> tuple[str, str]:
    """("page", id) or ("outcome", id): the first route of `page` whose condition holds."""
    for route in page.next:
        if holds(route.when, known):
            return ("page", route.goto) if route.goto else ("outcome", route.outcome)
    raise DialogueBroken(f"page {page.id!r} of LGSL {dialogue.lgsl} has no route that holds")


def submit(dialogue: Dialogue, state: RunState, raw: Mapping[str, Any],
           context: Context) -> dict[str, str]:
    """Answer the current page and move on. Returns errors (state unchanged when any)."""
    if state.finished or state.page is None:
        raise DialogueBroken("this dialogue has already ended")
    page = dialogue.pages[state.page]
    cleaned, errors = clean_page(dialogue, page, raw, state.answers, context)
    if errors:
        return errors
    state.answers.update(cleaned)
    state.trail.append(page.id)
    kind, target = next_step(dialogue, page, facts(dialogue, state.answers, context))
    if kind == "page":
        state.page = target
    else:
        state.page, state.outcome = None, target
        # Keep only what was asked on the path taken: the record of the contact.
        on_path = {q.id for p in state.trail for q in dialogue.pages[p].questions}
        state.answers = {k: v for k, v in state.answers.items() if k in on_path}
    return {}


def go_back(state: RunState) -> None:
    """Return to the page before the current one (or to the last page, from an outcome)."""
    if state.trail:
        state.page = state.trail.pop()
        state.outcome = None


def outcome_of(dialogue: Dialogue, state: RunState) -> Outcome | None:
    return dialogue.outcomes[state.outcome] if state.outcome else None


def amount_pence(dialogue: Dialogue, outcome: Outcome, known: Mapping[str, Any]) -> int | None:
    if outcome.amount_pence is not None:
        return outcome.amount_pence
    value = known.get(outcome.amount_from) if outcome.amount_from else None
    return round(value) if _is_number(value) else None


# --- text ----------------------------------------------------------------------------------

def fill(text: str, dialogue: Dialogue, known: Mapping[str, Any], context: Context) -> str:
    """Insert {fact} placeholders. Amounts (facts ending in _pence) print as pounds."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in known:
            return "(not known)"
        return describe(dialogue, name, known[name], context)

    return PLACEHOLDER.sub(value, text)


def describe(dialogue: Dialogue, name: str, value: Any, context: Context) -> str:
    """An answer or fact as a person would read it."""
    question = dialogue.questions.get(name)
    if name.endswith("_pence") and _is_number(value):
        return f"£{value / 100:,.2f}"
    if question is None:
        return str(value)
    match question.type:
        case "yes_no":
            return "Yes" if value else "No"
        case "choice":
            return question.option_label(value)
        case "multiple_choice":
            return ", ".join(question.option_label(v) for v in value) or "None"
        case "date":
            day = _date(value)
            return f"{day.day} {day:%B %Y}" if day else str(value)
        case "address":
            return context.addresses.get(value, f"UPRN {value}")
        case "person":
            return value if isinstance(value, str) else context.people.get(value,
                                                                          f"person {value}")
    return str(value)


def summary(dialogue: Dialogue, state: RunState, context: Context) -> list[tuple[str, str]]:
    """The questions answered on the path taken, with answers as text, in order asked."""
    rows = []
    for page_id in state.trail:
        for question in dialogue.pages[page_id].questions:
            value = state.answers.get(question.id)
            if value is not None:
                rows.append((question.label, describe(dialogue, question.id, value, context)))
    return rows


# --- one question --------------------------------------------------------------------------

def _clean(question: Question, raw: Mapping[str, Any], context: Context):
    key = f"q_{question.id}"
    if question.type == "date":
        return _clean_date(question, raw, key, context.today)
    if question.type == "multiple_choice":
        values = _list(raw, key)
        allowed = {o.value for o in question.options}
        if any(v not in allowed for v in values):
            raise ValueError(f"{question.label}: choose from the options given")
        chosen = [o.value for o in question.options if o.value in values]
        return chosen or None
    text = _one(raw, key).strip()
    if not text:
        return None
    match question.type:
        case "text":
            limit = question.max_length or MAX_TEXT
            if len(text) > limit:
                raise ValueError(f"{question.label} must be {limit} characters or fewer")
            return text
        case "yes_no":
            if text not in ("yes", "no"):
                raise ValueError(f"Select yes or no: {question.label.lower()}")
            return text == "yes"
        case "choice":
            if text not in {o.value for o in question.options}:
                raise ValueError(f"{question.label}: choose one of the options given")
            return text
        case "number":
            return _clean_number(question, text)
        case "address":
            return _picked(text, context.addresses, "an address from the list")
        case "person":
            if not context.people:
                # Self-service: no household is known, so the resident types the name.
                if len(text) > 120:
                    raise ValueError(f"{question.label}: a name of 120 characters or fewer")
                return text
            return _picked(text, people_for(question, context), "a person from the list")
    raise DialogueBroken(f"unknown question type {question.type!r}")


def _clean_number(question: Question, text: str):
    plain = text.replace(",", "")
    # Only plain decimals: float() would also take "nan", "inf" and "1_000".
    if not NUMBER.match(plain):
        raise ValueError(f"{question.label} must be a number")
    number = float(plain)
    if question.whole_number:
        if not number.is_integer():
            raise ValueError(f"{question.label} must be a whole number")
        number = int(number)
    if question.minimum is not None and number < question.minimum:
        raise ValueError(f"{question.label} must be {question.minimum:g} or more")
    if question.maximum is not None and number > question.maximum:
        raise ValueError(f"{question.label} must be {question.maximum:g} or less")
    return number


def _clean_date(question: Question, raw, key: str, today: dt.date) -> str | None:
    parts = [_one(raw, f"{key}-{part}").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    if not all(p.isascii() and p.isdecimal() for p in parts):
        raise ValueError(f"{question.label} must be a real date, in numbers")
    if len(parts[0]) > 2 or len(parts[1]) > 2 or len(parts[2]) != 4:
        raise ValueError(f"{question.label} must be a real date, like 27 3 2026")
    day, month, year = (int(p) for p in parts)
    if year < 1900:
        raise ValueError(f"{question.label}: the year must be 1900 or later")
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{question.label} must be a real date") from None
    if question.not_in_future and value > today:
        raise ValueError(f"{question.label} must be today or in the past")
    if question.not_in_past and value < today:
        raise ValueError(f"{question.label} must be today or in the future")
    return value.isoformat()


def _picked(text: str, offered: Mapping[int, str], what: str) -> int:
    if not (text.isascii() and text.isdecimal()) or len(text) > 18 or int(text) not in offered:
        raise ValueError(f"Choose {what}")
    return int(text)


def _missing(question: Question) -> str:
    if question.type in ("choice", "yes_no", "address", "person"):
        return f"Select an answer: {question.label.lower()}"
    if question.type == "multiple_choice":
        return f"Select at least one: {question.label.lower()}"
    return f"Enter an answer: {question.label.lower()}"


def _one(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return value if isinstance(value, str) else str(value)


def _list(raw: Mapping[str, Any], key: str) -> list[str]:
    getlist: Callable | None = getattr(raw, "getlist", None)
    if getlist is not None:
        return list(getlist(key))
    value = raw.get(key, [])
    return list(value) if isinstance(value, list | tuple) else [value] if value else []


def facts_named(condition: Mapping[str, Any]) -> set[str]:
    """Every fact a condition reads."""
    if "fact" in condition:
        return {condition["fact"]}
    inner = condition.get("all") or condition.get("any") or [condition["not"]]
    return set().union(*(facts_named(c) for c in inner))


def names_any(condition: Mapping[str, Any], names: set[str]) -> bool:
    return bool(facts_named(condition) & names)
