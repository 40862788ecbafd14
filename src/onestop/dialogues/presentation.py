"""A dialogue page as the templates draw it: one field per question, filled and with errors.

Shared by every front end (adviser desktop, self-service, kiosk, a service owner's
preview): they differ in layout, never in what a page asks or accepts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from onestop.dialogues import engine
from onestop.dialogues.document import Dialogue, Page, Question


@dataclass
class FieldView:
    name: str  # the form field name, q_<question id>
    question: Question
    error: str = ""
    value: str = ""
    values: list[str] = field(default_factory=list)  # multiple choice
    day: str = ""
    month: str = ""
    year: str = ""
    postcode: str = ""  # address pickers: the postcode searched
    choices: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    # An `ask_when` that reads answers on this same page, as JSON for the browser to show
    # and hide the question as they are given (the server decides either way).
    ask_when_json: str = ""

    @property
    def type(self) -> str:
        return self.question.type


@dataclass
class PageView:
    page: Page
    title: str
    guidance: str
    fields: list[FieldView]
    errors: list[tuple[str, str]]  # (anchor, message) for the error summary
    can_go_back: bool
    step: str = ""  # RunState.step, sent back with the form
    # Earlier facts that same-page conditions also read (JSON-safe: answers are scalars,
    # lists of option values or ISO dates).
    known_earlier: dict[str, Any] = field(default_factory=dict)


def page_view(dialogue: Dialogue, state: engine.RunState, context: engine.Context, *,
              raw: Mapping[str, Any] | None = None,
              errors: Mapping[str, str] | None = None) -> PageView:
    """The current page, filled from `raw` (a refused submission) or the stored answers."""
    page = dialogue.pages[state.page]
    known = engine.facts(dialogue, state.answers, context)
    errors = errors or {}
    fields = []
    on_page = {q.id for q in page.questions}
    earlier: dict[str, Any] = {}
    for question in engine.asked(page, known):
        view = FieldView(name=f"q_{question.id}", question=question,
                         error=errors.get(question.id, ""))
        _fill(view, question, state.answers.get(question.id), raw, context)
        if question.ask_when is not None and engine.names_any(question.ask_when, on_page):
            view.ask_when_json = json.dumps(question.ask_when)
            earlier.update({name: known[name] for name in engine.facts_named(question.ask_when)
                            if name not in on_page and name in known})
        fields.append(view)
    anchors = {f.question.id: _anchor(f) for f in fields}
    return PageView(
        page=page, title=page.title,
        guidance=engine.fill(page.guidance, dialogue, known, context),
        fields=fields, errors=[(anchors.get(q, "main-content"), m) for q, m in errors.items()],
        can_go_back=bool(state.trail), known_earlier=earlier, step=state.step)


def _anchor(view: FieldView) -> str:
    if view.type == "date":
        return f"{view.name}-day"
    if view.type in ("choice", "yes_no", "multiple_choice", "address", "person"):
        first = view.choices[0][0] if view.choices else ""
        return f"{view.name}-{first}" if first else view.name
    return view.name


def _fill(view: FieldView, question: Question, stored, raw, context: engine.Context) -> None:
    key = view.name
    if question.type == "yes_no":
        view.choices = [("yes", "Yes"), ("no", "No")]
    elif question.type in ("choice", "multiple_choice"):
        view.choices = [(o.value, o.label) for o in question.options]
    elif question.type == "address":
        view.choices = [(str(k), v) for k, v in context.addresses.items()]
    elif question.type == "person":
        view.choices = [(str(k), v) for k, v in engine.people_for(question, context).items()]
    if raw is not None:
        view.postcode = _get(raw, f"{key}-postcode")
        if question.type == "date":
            view.day, view.month, view.year = (_get(raw, f"{key}-{p}")
                                               for p in ("day", "month", "year"))
        elif question.type == "multiple_choice":
            view.values = list(raw.getlist(key)) if hasattr(raw, "getlist") \
                else list(raw.get(key, []))
        else:
            view.value = _get(raw, key)
        return
    if stored is None:
        return
    if question.type == "date":
        day = dt.date.fromisoformat(stored)
        view.day, view.month, view.year = str(day.day), str(day.month), str(day.year)
    elif question.type == "multiple_choice":
        view.values = list(stored)
    elif question.type == "yes_no":
        view.value = "yes" if stored else "no"
    elif question.type == "number":
        view.value = str(int(stored)) if isinstance(stored, float) and stored.is_integer() \
            else str(stored)  # str() of a float is exact to what was typed; :g would round
    else:
        view.value = str(stored)


def _get(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key, "")
    return value if isinstance(value, str) else ""


def outcome_view(dialogue: Dialogue, state: engine.RunState, context: engine.Context) -> dict:
    """What the end of a run shows: the outcome, what to say, any amount due, the answers."""
    outcome = engine.outcome_of(dialogue, state)
    known = engine.facts(dialogue, state.answers, context)
    amount = engine.amount_pence(dialogue, outcome, known)
    return {"outcome": outcome, "say": engine.fill(outcome.say, dialogue, known, context),
            "amount": f"£{amount / 100:,.2f}" if amount is not None else "",
            "answers": engine.summary(dialogue, state, context)}
