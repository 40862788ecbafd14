"""Checking a dialogue document before it can be saved, previewed or published.

Two layers: the JSON Schema (shape and types) and the checks it cannot express — ids
unique, every reference known, no loops, every page reachable and every outcome used, and
conditions that read only facts known by the time they are tested. Errors name the page,
question or outcome, so a service owner can find them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema

from onestop.core.nesting import TooDeep, check_text_depth, check_value_depth
from onestop.dialogues.document import (
    CONTEXT_FACTS,
    LIFE_EVENT_DETAILS,
    LIFE_EVENT_QUESTION_TYPES,
    Dialogue,
    Page,
)
from onestop.dialogues.engine import PLACEHOLDER

SCHEMA_PATH = Path(__file__).with_name("schema") / "dialogue.schema.json"


class DialogueInvalid(ValueError):
    """A dialogue document that cannot run; `errors` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


# The deepest shipped script nests 12 levels (conditions inside routes inside pages);
# validating and running a script recurse once per level.
MAX_DEPTH = 40


@functools.cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def parse(document: dict | str) -> Dialogue:
    """A runnable Dialogue, or DialogueInvalid listing every problem."""
    try:
        if isinstance(document, str):
            check_text_depth(document, MAX_DEPTH)  # before json.loads recurses into it
            document = json.loads(document)
        check_value_depth(document, MAX_DEPTH)  # before the schema and the checks recurse
    except TooDeep as error:
        raise DialogueInvalid([f"not a script: {error}; a script needs at most "
                               f"{MAX_DEPTH}"]) from None
    except json.JSONDecodeError as error:
        raise DialogueInvalid([f"not valid JSON: {error.msg} at line {error.lineno}, "
                               f"column {error.colno}"]) from None
    validator = jsonschema.Draft202012Validator(schema())
    problems = [_schema_message(e) for e in sorted(validator.iter_errors(document),
                                                   key=lambda e: list(e.absolute_path))]
    if problems:
        raise DialogueInvalid(problems)
    dialogue = Dialogue.from_json(document)
    problems = list(_cross_checks(document, dialogue))
    if problems:
        raise DialogueInvalid(problems)
    return dialogue


def _schema_message(error: jsonschema.ValidationError) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    # A oneOf failure's own message quotes the whole subdocument; its best sub-error is
    # the one that says what to change.
    best = jsonschema.exceptions.best_match([error]) if error.context else error
    return f"{where.lstrip('.') or 'document'}: {best.message[:300]}"


def _cross_checks(doc: dict, dialogue: Dialogue) -> Iterator[str]:
    yield from _unique_ids(doc)
    pages, outcomes = dialogue.pages, dialogue.outcomes
    if dialogue.start not in pages:
        yield f"start: no page {dialogue.start!r}"
        return
    used_outcomes: set[str] = set()
    for page in pages.values():
        if page.next[-1].when is not None:
            yield f"page {page.id}: the last route must have no 'when', so the page always " \
                  f"leads somewhere"
        for route in page.next:
            if route.goto and route.goto not in pages:
                yield f"page {page.id}: goes to unknown page {route.goto!r}"
            if route.outcome:
                used_outcomes.add(route.outcome)
                if route.outcome not in outcomes:
                    yield f"page {page.id}: ends in unknown outcome {route.outcome!r}"
    for outcome in outcomes.values():
        if outcome.id not in used_outcomes:
            yield f"outcome {outcome.id}: no page leads to it"
        if outcome.amount_from and outcome.amount_from not in {c.id for c in dialogue.computed}:
            yield f"outcome {outcome.id}: amount_from names no computed value"
        if outcome.life_event:
            yield from _life_event_answers(outcome, dialogue.questions)
            if set(dialogue.channels) != {"adviser"}:
                # Residents' own reports are held for an adviser to check (lifeevents).
                yield (f"outcome {outcome.id}: a life event is reported through a script "
                       f"only by an adviser; channels must be [\"adviser\"]")
    for question in dialogue.questions.values():
        if question.locates_service and question.type != "address":
            yield f"question {question.id}: only an address question can locate the service"
    order = _topological_order(dialogue)
    if order is None:
        yield "pages form a loop: a page leads back to itself or an earlier page"
        return
    reachable = _reachable(dialogue)
    for page_id in pages:
        if page_id not in reachable:
            yield f"page {page_id}: cannot be reached from the start page"
    yield from _facts_known(dialogue, order)


def _unique_ids(doc: dict) -> Iterator[str]:
    seen: dict[str, str] = {}
    named = [("page", p["id"]) for p in doc["pages"]]
    named += [("outcome", o["id"]) for o in doc["outcomes"]]
    named += [("question", q["id"]) for p in doc["pages"] for q in p.get("questions", [])]
    named += [("computed value", c["id"]) for c in doc.get("computed", [])]
    for kind, name in named:
        # Questions and computed values share one namespace (both are facts).
        space = "fact" if kind in ("question", "computed value") else kind
        if (space, name) in seen:
            yield f"{kind} id {name!r} is used twice"
        seen[(space, name)] = kind


def _successors(page: Page) -> list[str]:
    return [r.goto for r in page.next if r.goto]


def _reachable(dialogue: Dialogue) -> set[str]:
    seen, stack = set(), [dialogue.start]
    while stack:
        page_id = stack.pop()
        if page_id in seen or page_id not in dialogue.pages:
            continue
        seen.add(page_id)
        stack.extend(_successors(dialogue.pages[page_id]))
    return seen


def _topological_order(dialogue: Dialogue) -> list[str] | None:
    """Pages in an order where every route goes forwards, or None if there is a loop."""
    incoming = {p: 0 for p in dialogue.pages}
    for page in dialogue.pages.values():
        for target in _successors(page):
            if target in incoming:
                incoming[target] += 1
    ready = [p for p, n in incoming.items() if n == 0]
    order = []
    while ready:
        page_id = ready.pop()
        order.append(page_id)
        for target in _successors(dialogue.pages[page_id]):
            if target in incoming:
                incoming[target] -= 1
                if incoming[target] == 0:
                    ready.append(target)
    return order if len(order) == len(dialogue.pages) else None


def _facts_known(dialogue: Dialogue, order: list[str]) -> Iterator[str]:
    """Each condition and placeholder reads only facts asked on the way to it.

    A question counts as known at a page when it is on that page or on a page every path
    from the start passes through (a dominator); computed values and context facts are
    always readable (they are simply unknown when their inputs are)."""
    preds: dict[str, list[str]] = {p: [] for p in dialogue.pages}
    for page in dialogue.pages.values():
        for target in _successors(page):
            if target in preds:  # an unknown page is reported on its own
                preds[target].append(page.id)
    dominators: dict[str, set[str]] = {}
    for page_id in order:
        before = [dominators[p] for p in preds[page_id] if p in dominators]
        dominators[page_id] = {page_id} | (set.intersection(*before) if before else set())
    computed = {c.id for c in dialogue.computed}
    all_questions = set(dialogue.questions)
    always = CONTEXT_FACTS | computed
    for item in dialogue.computed:
        for name in _facts_in(item.value):
            if name not in always | all_questions or name == item.id:
                yield f"computed value {item.id}: reads unknown fact {name!r}"
    for page_id in order:
        page = dialogue.pages[page_id]
        known = always | {q.id for p in dominators[page_id] for q in dialogue.pages[p].questions}
        where = f"page {page_id}"
        for question in page.questions:
            if question.ask_when is not None:
                yield from _check(question.ask_when, known, dialogue,
                                  f"{where}, question {question.id}")
        for index, route in enumerate(page.next, 1):
            if route.when is not None:
                yield from _check(route.when, known, dialogue, f"{where}, route {index}")
        for name in PLACEHOLDER.findall(page.guidance):
            if name not in known:
                yield f"{where}: guidance inserts {{{name}}}, which is not known there"
        for route in page.next:
            ending = dialogue.outcomes.get(route.outcome) if route.outcome else None
            for part in ("kind", "on", "about"):
                question = (ending.life_event or {}).get(part) if ending else None
                if question and question in all_questions and question not in known:
                    yield (f"{where}: ends in {ending.id}, but its life_event {part} "
                           f"({question}) is not asked on every way there")
    everything = always | all_questions
    for outcome in dialogue.outcomes.values():
        for name in PLACEHOLDER.findall(outcome.say):
            if name not in everything:
                yield f"outcome {outcome.id}: 'say' inserts unknown fact {{{name}}}"


def _check(condition: dict, known: set[str], dialogue: Dialogue, where: str) -> Iterator[str]:
    for leaf in _leaves(condition):
        name = leaf["fact"]
        if name not in known:
            yield f"{where}: reads {name!r}, which is not asked on every path to this page"
            continue
        question = dialogue.questions.get(name)
        if question is None or question.type not in ("choice", "multiple_choice"):
            continue
        allowed = {o.value for o in question.options}
        values = leaf.get("in") or [leaf[k] for k in ("equals", "not_equals", "includes")
                                    if k in leaf]
        for value in values:
            if value not in allowed:
                yield f"{where}: {name} has no option {value!r}"
        if "includes" in leaf and question.type != "multiple_choice":
            yield f"{where}: 'includes' is for multiple-choice questions; {name} is not one"


def _leaves(condition: dict) -> Iterator[dict]:
    if "fact" in condition:
        yield condition
        return
    for inner in condition.get("all") or condition.get("any") or [condition["not"]]:
        yield from _leaves(inner)


def _facts_in(expression) -> Iterator[str]:
    if isinstance(expression, dict):
        for key, value in expression.items():
            if key == "fact" or key in ("years_since", "days_since", "working_days_since"):
                yield value
            else:
                yield from _facts_in(value)
    elif isinstance(expression, list):
        for item in expression:
            yield from _facts_in(item)


def _life_event_answers(outcome, questions) -> Iterator[str]:
    """Every part of a life_event outcome names a question of the right type."""
    spec = outcome.life_event
    named = [(part, spec[part]) for part in LIFE_EVENT_QUESTION_TYPES if part in spec]
    named += [(f"details.{name}", question) for name, question in spec.get("details", {}).items()]
    named += [(f"informant.{name}", question)
              for name, question in spec.get("informant", {}).items()]
    for part, question_id in named:
        question = questions.get(question_id)
        wanted = LIFE_EVENT_QUESTION_TYPES.get(part)
        if question is None:
            yield f"outcome {outcome.id}: life_event {part} names no question {question_id!r}"
        elif wanted and question.type != wanted:
            yield (f"outcome {outcome.id}: life_event {part} must be a {wanted} question; "
                   f"{question_id} is a {question.type} question")
    for name in sorted(set(spec.get("details", {})) - LIFE_EVENT_DETAILS):
        yield (f"outcome {outcome.id}: life_event details.{name} is not a detail a life event "
               f"has ({', '.join(sorted(LIFE_EVENT_DETAILS))})")
    kind = questions.get(spec["kind"])
    if kind is not None and kind.type == "choice":
        from onestop.lifeevents.mapping import EventKind  # the kinds OneStop knows

        for option in kind.options:
            if option.value not in EventKind.values:
                yield (f"outcome {outcome.id}: life_event kind {kind.id} offers "
                       f"{option.value!r}, which is not a kind of life event "
                       f"({', '.join(EventKind.values)})")
