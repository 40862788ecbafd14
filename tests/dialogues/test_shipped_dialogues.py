"""Every shipped script validates and reaches an outcome from every page under any answers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.dialogues import engine
from onestop.dialogues.actions import CONTENT
from onestop.dialogues.document import CHANNELS, Dialogue, Question
from onestop.dialogues.validation import parse, schema

FILES = sorted(CONTENT.glob("*.json"))
TODAY = dt.date(2026, 12, 1)
ADDRESSES = {100000000001: "1 Station Road, Stowmarket", 100000000002: "Flat 3, Mill Court"}
PEOPLE = {11: "Margaret Okafor", 12: "Sam Okafor"}
# LGSL numbers the shipped set must cover (issue: at least twelve common services).
REQUIRED = {524, 530, 528, 58, 69, 4, 279, 474, 412, 364}


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_at_least_twelve_services_are_shipped_including_the_common_ones():
    lgsls = {_load(path)["lgsl"] for path in FILES}
    assert len(lgsls) >= 12, sorted(lgsls)
    assert REQUIRED <= lgsls, sorted(REQUIRED - lgsls)
    assert lgsls & {139, 156}, "housing repairs (LGSL 139 or 156) must be shipped"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_shipped_dialogue_matches_the_published_schema(path):
    jsonschema.Draft202012Validator(schema()).validate(_load(path))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_shipped_dialogue_passes_every_cross_check(path):
    dialogue = parse(_load(path))
    assert path.name.startswith(f"{dialogue.lgsl}-")


def _raw_answer(question: Question) -> st.SearchStrategy[dict]:
    """What a browser would submit for the question: valid, or empty when optional."""
    key = f"q_{question.id}"
    match question.type:
        case "text":
            value = st.text(alphabet="abc XYZ.,'", min_size=1,
                            max_size=min(40, question.max_length or 40)).filter(str.strip)
            values = value.map(lambda text: {key: text})
        case "number":
            low = question.minimum if question.minimum is not None else -1000
            high = question.maximum if question.maximum is not None else 100000
            values = st.integers(int(low) if float(low).is_integer() else int(low) + 1,
                                 int(high)).map(lambda n: {key: str(n)})
        case "date":
            low = TODAY if question.not_in_past else dt.date(1930, 1, 1)
            high = TODAY if question.not_in_future else dt.date(2035, 12, 31)
            values = st.dates(low, high).map(lambda d: {
                f"{key}-day": str(d.day), f"{key}-month": str(d.month),
                f"{key}-year": str(d.year)})
        case "yes_no":
            values = st.sampled_from([{key: "yes"}, {key: "no"}])
        case "choice":
            values = st.sampled_from([{key: o.value} for o in question.options])
        case "multiple_choice":
            values = st.lists(st.sampled_from([o.value for o in question.options]),
                              min_size=1, unique=True).map(lambda vs: {key: vs})
        case "address":
            values = st.sampled_from([{key: str(uprn)} for uprn in ADDRESSES])
        case "person":
            values = st.sampled_from([{key: str(pid)} for pid in PEOPLE])
    if not question.required:
        values = st.one_of(st.just({}), values)
    return values


@st.composite
def _contexts(draw) -> engine.Context:
    maybe = lambda strategy: draw(st.one_of(st.none(), strategy))  # noqa: E731
    return engine.Context(
        today=TODAY, channel=draw(st.sampled_from(CHANNELS)),
        addresses=ADDRESSES, people=PEOPLE,
        facts={
            "person.age": maybe(st.integers(0, 105)),
            "person.has_disability": maybe(st.booleans()),
            "household.size": maybe(st.integers(1, 9)),
            "household.children_under_16": maybe(st.integers(0, 6)),
            "property.type": maybe(st.sampled_from(["house", "flat", "maisonette",
                                                    "bungalow", "other"])),
            "property.floor": maybe(st.integers(0, 12)),
            "property.council_tax_band": maybe(st.sampled_from(list("ABCDEFGH"))),
            "property.tenure": maybe(st.sampled_from(["owner_occupied", "council",
                                                      "housing_association",
                                                      "private_rented"])),
        })


DIALOGUES = [parse(_load(path)) for path in FILES]
STARTS = [(d, page_id) for d in DIALOGUES for page_id in d.pages]


@pytest.mark.parametrize(("dialogue", "page_id"), STARTS,
                         ids=[f"{d.lgsl}:{p}" for d, p in STARTS])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_page_reaches_an_outcome_under_any_valid_answers(dialogue: Dialogue, page_id,
                                                               data):
    context = data.draw(_contexts())
    state = engine.RunState(page=page_id)
    for _ in range(len(dialogue.pages)):
        page = dialogue.pages[state.page]
        raw: dict = {}
        for question in page.questions:
            raw.update(data.draw(_raw_answer(question)))
        errors = engine.submit(dialogue, state, raw, context)
        assert not errors, f"valid answers refused on {page.id}: {errors}"
        if state.finished:
            break
    assert state.finished, f"no outcome within {len(dialogue.pages)} pages from {page_id}"
    outcome = engine.outcome_of(dialogue, state)
    assert outcome is not None
    if page_id != dialogue.start:
        return  # a run begun midway lacks the earlier answers that amounts and text use
    known = engine.facts(dialogue, state.answers, context)
    if outcome.type == "payment":
        assert engine.amount_pence(dialogue, outcome, known) is not None, \
            f"{outcome.id}: no amount could be worked out"
    said = engine.fill(outcome.say, dialogue, known, context)
    assert "(not known)" not in said, f"{outcome.id} says something not known: {said}"
