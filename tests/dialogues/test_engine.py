"""The dialogue engine: conditions, computed values, answers checked, routes taken."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.dialogues import engine
from onestop.dialogues.validation import parse

TODAY = dt.date(2026, 1, 5)  # a Monday after the Christmas and New Year bank holidays


def _dialogue(**changes):
    doc = {
        "format": 1, "lgsl": 528, "title": "Bulky waste", "channels": ["adviser"],
        "start": "items",
        "computed": [
            {"id": "fee_pence", "value": {"sum": [3500, {"product": [
                800, {"difference": [{"fact": "count"}, 3]}]}]}},
            {"id": "extra_items", "value": {"choose": [
                {"when": {"fact": "count", "more_than": 3}, "value": "yes"}],
                "otherwise": "no"}},
        ],
        "pages": [
            {"id": "items", "title": "What is to be collected?",
             "guidance": "Ask for every item.",
             "questions": [
                 {"id": "count", "type": "number", "label": "How many items", "minimum": 1,
                  "maximum": 10, "whole_number": True},
                 {"id": "kinds", "type": "multiple_choice", "label": "Which kinds",
                  "options": [{"value": "sofa", "label": "Sofa"},
                              {"value": "fridge", "label": "Fridge or freezer"}]},
                 {"id": "fridge_gas", "type": "yes_no", "label": "Does the fridge hold gas",
                  "ask_when": {"fact": "kinds", "includes": "fridge"}},
             ],
             "next": [{"when": {"fact": "fridge_gas", "equals": True}, "outcome": "tip"},
                      {"goto": "when"}]},
            {"id": "when", "title": "When", "guidance": "The fee is {fee_pence}.",
             "questions": [{"id": "day", "type": "date", "label": "Collection day",
                            "not_in_past": True},
                           {"id": "where", "type": "address", "label": "Address"}],
             "next": [{"outcome": "pay"}]},
        ],
        "outcomes": [
            {"id": "tip", "type": "signposted", "title": "Take it to the tip",
             "signpost_to": "Household waste recycling centre"},
            {"id": "pay", "type": "payment", "title": "Pay for the collection",
             "amount_from": "fee_pence", "say": "That is {fee_pence} for {count} items."},
        ],
    }
    doc.update(changes)
    return parse(doc)


CONTEXT = engine.Context(today=TODAY, addresses={200000000001: "1 Station Road"})


def test_conditions_combine_and_unknown_facts_make_comparisons_false():
    known = {"age": 70, "tenure": "council", "kinds": ["sofa"]}
    assert engine.holds({"all": [{"fact": "age", "at_least": 66},
                                 {"fact": "tenure", "in": ["council", "housing_association"]}]},
                        known)
    assert engine.holds({"any": [{"fact": "age", "less_than": 18},
                                 {"fact": "kinds", "includes": "sofa"}]}, known)
    assert not engine.holds({"fact": "floor", "at_least": 1}, known)
    assert not engine.holds({"fact": "floor", "not_equals": 0}, known)
    assert engine.holds({"not": {"fact": "floor", "at_least": 1}}, known)
    assert engine.holds({"fact": "floor", "answered": False}, known)
    assert not engine.holds({"fact": "tenure", "at_least": 3}, known)  # not a number


def test_working_days_since_skips_the_christmas_bank_holidays():
    known = {"missed": "2025-12-24"}
    # 29, 30, 31 Dec, 2 and 5 Jan: 25, 26 Dec and 1 Jan are bank holidays; the rest
    # weekends.
    assert engine.compute({"working_days_since": "missed"}, known, TODAY) == 5
    assert engine.compute({"days_since": "missed"}, known, TODAY) == 12
    assert engine.compute({"years_since": "born"}, {"born": "2008-01-06"}, TODAY) == 17
    assert engine.compute({"years_since": "born"}, {}, TODAY) is None


def test_a_run_computes_a_fee_and_keeps_only_answers_on_the_path_taken():
    dialogue = _dialogue()
    state = engine.RunState.begin(dialogue)
    assert engine.submit(dialogue, state, {"q_count": "5", "q_kinds": ["sofa"]}, CONTEXT) == {}
    assert state.page == "when" and state.answers["fridge_gas"] is None
    known = engine.facts(dialogue, state.answers, CONTEXT)
    assert engine.fill(dialogue.pages["when"].guidance, dialogue, known, CONTEXT) == \
        "The fee is £51.00."
    errors = engine.submit(dialogue, state, {"q_day-day": "6", "q_day-month": "1",
                                             "q_day-year": "2026",
                                             "q_where": "200000000001"}, CONTEXT)
    assert errors == {}
    assert state.finished and state.outcome == "pay"
    outcome = engine.outcome_of(dialogue, state)
    known = engine.facts(dialogue, state.answers, CONTEXT)
    assert engine.amount_pence(dialogue, outcome, known) == 5100
    assert engine.fill(outcome.say, dialogue, known, CONTEXT) == "That is £51.00 for 5 items."
    assert engine.summary(dialogue, state, CONTEXT) == [
        ("How many items", "5"), ("Which kinds", "Sofa"),
        ("Collection day", "6 January 2026"), ("Address", "1 Station Road")]


def test_a_question_asked_only_on_an_answer_on_its_own_page_is_then_required():
    dialogue = _dialogue()
    state = engine.RunState.begin(dialogue)
    errors = engine.submit(dialogue, state, {"q_count": "2", "q_kinds": ["fridge"]}, CONTEXT)
    assert errors == {"fridge_gas": "Select an answer: does the fridge hold gas"}
    assert state.page == "items" and state.answers == {}  # nothing kept from a refused page
    engine.submit(dialogue, state, {"q_count": "2", "q_kinds": ["fridge"],
                                    "q_fridge_gas": "yes"}, CONTEXT)
    assert state.outcome == "tip"


@pytest.mark.parametrize(("raw", "error"), [
    ({"q_count": "ten"}, "How many items must be a number"),
    ({"q_count": "2.5"}, "How many items must be a whole number"),
    ({"q_count": "11"}, "How many items must be 10 or less"),
    ({"q_count": ""}, "Enter an answer: how many items"),
    ({"q_count": "nan"}, "How many items must be a number"),
    ({"q_count": "inf"}, "How many items must be a number"),
    ({"q_count": "1_0"}, "How many items must be a number"),
    ({"q_count": "\uff11"}, "How many items must be a number"),  # a full-width digit one
])
def test_bad_numbers_are_refused_with_the_question_named(raw, error):
    dialogue = _dialogue()
    state = engine.RunState.begin(dialogue)
    errors = engine.submit(dialogue, state, {**raw, "q_kinds": ["sofa"]}, CONTEXT)
    assert errors == {"count": error}


@pytest.mark.parametrize(("raw", "field", "error"), [
    ({"q_day-day": "31", "q_day-month": "2", "q_day-year": "2026"}, "day",
     "Collection day must be a real date"),
    ({"q_day-day": "2", "q_day-month": "1", "q_day-year": "2026"}, "day",
     "Collection day must be today or in the future"),
    ({"q_day-day": "x", "q_day-month": "1", "q_day-year": "2026"}, "day",
     "Collection day must be a real date, in numbers"),
    ({"q_where": "999"}, "where", "Choose an address from the list"),
    ({"q_day-day": "9", "q_day-month": "1", "q_day-year": "9" * 30}, "day",
     "Collection day must be a real date, like 27 3 2026"),
    ({"q_day-day": "9", "q_day-month": "1", "q_day-year": "26"}, "day",
     "Collection day must be a real date, like 27 3 2026"),
])
def test_bad_dates_and_addresses_not_offered_are_refused(raw, field, error):
    dialogue = _dialogue()
    state = engine.RunState(page="when")
    valid = {"q_day-day": "9", "q_day-month": "1", "q_day-year": "2026",
             "q_where": "200000000001"}
    errors = engine.submit(dialogue, state, {**valid, **raw}, CONTEXT)
    assert errors[field] == error


def test_going_back_returns_to_the_page_before_and_keeps_its_answers_to_change():
    dialogue = _dialogue()
    state = engine.RunState.begin(dialogue)
    engine.submit(dialogue, state, {"q_count": "4", "q_kinds": ["sofa"]}, CONTEXT)
    engine.go_back(state)
    assert state.page == "items" and state.trail == [] and state.answers["count"] == 4
    restored = engine.RunState.from_json(state.to_json())
    assert restored == state


def test_context_facts_route_without_any_question():
    dialogue = _dialogue(pages=[
        {"id": "check", "title": "Check",
         "next": [{"when": {"all": [{"fact": "property.type", "equals": "flat"},
                                    {"fact": "property.floor", "at_least": 1}]},
                   "outcome": "tip"},
                  {"outcome": "pay"}]}], start="check", computed=[
        {"id": "fee_pence", "value": {"sum": [3500]}}], outcomes=[
        {"id": "tip", "type": "signposted", "title": "Not for flats upstairs"},
        {"id": "pay", "type": "payment", "title": "Pay", "amount_from": "fee_pence"}])
    upstairs = engine.Context(today=TODAY, facts={"property.type": "flat",
                                                  "property.floor": 2})
    state = engine.RunState.begin(dialogue)
    engine.submit(dialogue, state, {}, upstairs)
    assert state.outcome == "tip"
    state = engine.RunState.begin(dialogue)
    engine.submit(dialogue, state, {}, CONTEXT)
    assert state.outcome == "pay"


def test_a_person_question_offers_the_resident_only_when_it_asks_to():
    dialogue = _dialogue(pages=[
        {"id": "who", "title": "Who",
         "questions": [{"id": "child", "type": "person", "label": "Which child"},
                       {"id": "payer", "type": "person", "label": "Who pays",
                        "include_self": True}],
         "next": [{"outcome": "tip"}]}], start="who", computed=[], outcomes=[
        {"id": "tip", "type": "resolved", "title": "Done"}])
    home = engine.Context(today=TODAY, people={11: "Margaret (the resident)", 12: "Sam"},
                          resident=11)
    state = engine.RunState.begin(dialogue)
    errors = engine.submit(dialogue, state, {"q_child": "11", "q_payer": "11"}, home)
    assert errors == {"child": "Choose a person from the list"}
    assert engine.submit(dialogue, state, {"q_child": "12", "q_payer": "11"}, home) == {}
    assert state.answers == {"child": 12, "payer": 11}
