"""A dialogue that cannot run is refused, with every problem named where it is."""

from __future__ import annotations

import copy
import json

import pytest

from onestop.dialogues.actions import CONTENT
from onestop.dialogues.validation import DialogueInvalid, parse

MISSED_BIN = json.loads((CONTENT / "524-missed-bin.json").read_text())


def _errors(change) -> list[str]:
    doc = copy.deepcopy(MISSED_BIN)
    change(doc)
    with pytest.raises(DialogueInvalid) as refused:
        parse(doc)
    return refused.value.errors


def test_text_that_is_not_json_is_refused_with_the_line():
    with pytest.raises(DialogueInvalid, match=r"not valid JSON: .* line 1"):
        parse('{"format": 1,')


def test_schema_errors_name_the_page_and_question():
    def change(doc):
        doc["pages"][0]["questions"][0]["type"] = "colour"
        del doc["outcomes"][0]["title"]
    errors = _errors(change)
    assert any(e.startswith("outcomes[0]: 'title' is a required property") for e in errors)
    assert any(e.startswith("pages[0].questions[0].type: 'colour' is not one of") for e in errors)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["pages"][1]["next"].__setitem__(1, {"goto": "nowhere"}),
     "page which_bin: goes to unknown page 'nowhere'"),
    (lambda d: d["pages"][3]["next"].__setitem__(0, {"outcome": "moon"}),
     "page contact: ends in unknown outcome 'moon'"),
    (lambda d: d["pages"][3]["next"].__setitem__(0, {"goto": "which_bin"}),
     "pages form a loop: a page leads back to itself or an earlier page"),
    (lambda d: d["pages"][2]["next"].pop(),
     "page presented: the last route must have no 'when', so the page always leads somewhere"),
    (lambda d: d["pages"][0]["questions"][0].__setitem__("id", "bin"),
     "question id 'bin' is used twice"),
    (lambda d: d["pages"][1]["next"].__setitem__(0, {
        "when": {"fact": "bin", "equals": "compost"}, "outcome": "too_late"}),
     "page which_bin, route 1: bin has no option 'compost'"),
    (lambda d: d["pages"][0]["next"].__setitem__(0, {
        "when": {"fact": "out_by_7", "equals": True}, "goto": "which_bin"}) or
     d["pages"][0]["next"].append({"goto": "which_bin"}),
     "page which_address, route 1: reads 'out_by_7', which is not asked on every path"),
    (lambda d: d["outcomes"][2].__setitem__("say", "Back by {return_day}."),
     "outcome return_collection: 'say' inserts unknown fact {return_day}"),
    (lambda d: d["outcomes"].append({"id": "spare", "type": "resolved", "title": "Spare"}),
     "outcome spare: no page leads to it"),
    (lambda d: d.__setitem__("start", "presented"),
     "page which_address: cannot be reached from the start page"),
])
def test_cross_checks_name_what_is_wrong(change, expected):
    assert any(e.startswith(expected) for e in _errors(change)), _errors(change)


def test_a_referral_needs_its_sla():
    errors = _errors(lambda d: d["outcomes"][2].pop("sla_working_days"))
    assert any("'sla_working_days' is a required property" in e for e in errors)
