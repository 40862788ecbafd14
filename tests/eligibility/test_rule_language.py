"""The rule language parses what service owners write, refuses the rest by position and
fact, and never runs anything as Python."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.eligibility.facts import Facts, Home, Member
from onestop.eligibility.language import RuleSyntaxError, evaluate, parse

TODAY = dt.date(2026, 12, 1)
FSM = ('household.school_age_children >= 1 and (person.receives("housing_benefit") or '
       'person.receives("universal_credit"))')
NO_UPSTAIRS_FLAT = 'not (property.type == "flat" and property.floor >= 1)'


HOUSE = Home("house")


def family(*, benefits=(), child_born=dt.date(2017, 5, 1), home=HOUSE) -> Facts:
    parent = Member(dt.date(1985, 1, 1), benefits=frozenset(benefits))
    child = Member(child_born)
    return Facts(parent, (parent, child), home, TODAY)


def test_a_school_age_child_and_housing_benefit_make_the_fsm_condition_true_with_its_facts():
    value, why = evaluate(parse(FSM), family(benefits={"housing_benefit"}))
    assert value is True
    assert why == ["school-age children in the household: 1", "receives Housing Benefit"]


def test_without_a_qualifying_benefit_the_condition_is_false_and_names_both_benefits():
    value, why = evaluate(parse(FSM), family())
    assert value is False
    assert "not receives Housing Benefit" in why and "not receives Universal Credit" in why


def test_a_child_of_three_is_not_school_age_by_the_31_august_rule():
    # Born 1 September 2022: starts Reception in September 2027.
    value, why = evaluate(parse(FSM), family(benefits={"universal_credit"},
                                             child_born=dt.date(2022, 9, 1)))
    assert value is False
    assert why == ["school-age children in the household: 0"]


def test_a_second_floor_flat_fails_the_garden_condition_and_says_so():
    value, why = evaluate(parse(NO_UPSTAIRS_FLAT), family(home=Home("flat", floor=2)))
    assert value is False
    assert why == ["type of home: flat", "floor of the flat (0 is the ground floor): 2"]


def test_an_unknown_fact_is_false_in_a_comparison_and_its_negation_true():
    no_home = family(home=None)
    assert evaluate(parse("property.floor >= 1"), no_home)[0] is False
    assert evaluate(parse("property.floor < 1"), no_home)[0] is False
    assert evaluate(parse("not (property.floor >= 1)"), no_home)[0] is True


def test_in_lists_texts_and_precedence_is_not_then_and_then_or():
    facts = family(home=Home("maisonette", floor=1, council_tax_band="B"))
    assert evaluate(parse('property.council_tax_band in ("A", "B")'), facts)[0] is True
    assert evaluate(parse("true or false and false"), facts)[0] is True
    assert evaluate(parse("not false and false"), facts)[0] is False


@pytest.mark.parametrize(("source", "message"), [
    ("household.pets >= 1", "unknown fact 'household.pets' at character 1"),
    ("person.age >= 18 and person.wealth", "unknown fact 'person.wealth' at character 22"),
    ('person.receives("lottery")', "needs a benefit in double quotes"),
    ("person.age >= ", "expected a fact, a number, \"text\", true or false, found the end "
                       "of the rule at character 15"),
    ("person.age >= 18 and", "found the end of the rule at character 21"),
    ("(person.age >= 18", "expected ')', found the end of the rule at character 18"),
    ("person.age >= 18 person.is_adult", "expected 'and', 'or' or the end of the rule, found "
                                         "'person.is_adult' at character 18"),
    ("property.type == 'flat'", "unexpected \"'\" (text goes in double quotes) at character 18"),
    ('property.type == "castle"', "property.type is never 'castle'"),
    ('person.age == "old"', "== compares person.age (number) with 'old' (text)"),
    ("person.age", "a rule must be a yes/no condition; person.age is number"),
    ("not person.age", "'not' needs a yes/no condition; person.age is number"),
    ('property.type > "flat"', "> needs numbers; property.type is text"),
    ('__import__("os")', "unknown fact '__import__' at character 1"),
    ("", "the rule is empty"),
    ("person.age(3) > 1", "person.age takes no argument"),
    ("household.receives_service(\"x\")", "needs an LGSL number"),
    ("person.age > 99999999999999999999", "the number 99999999999999999999 is too large at "
                                          "character 14"),
])
def test_a_rule_that_does_not_parse_or_check_is_refused_naming_position_and_fact(source,
                                                                                 message):
    with pytest.raises(RuleSyntaxError) as refused:
        parse(source)
    assert message in str(refused.value)


def test_deep_nesting_is_refused_rather_than_exhausting_the_stack():
    with pytest.raises(RuleSyntaxError, match="nested too deeply"):
        parse("not " * 200 + "true")
    with pytest.raises(RuleSyntaxError, match="nested too deeply"):
        parse("(" * 200 + "true" + ")" * 200)
