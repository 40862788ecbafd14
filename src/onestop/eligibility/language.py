"""The rule language: a small, safe expression language over the facts catalogue.

    household.school_age_children >= 1 and (person.receives("housing_benefit")
        or person.receives("universal_credit"))
    not (property.type in ("flat", "maisonette") and property.floor >= 1)

Grammar (lowest precedence first; keywords are lower case):

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand [("==" | "!=" | "<" | "<=" | ">" | ">=") operand
                           | "in" "(" literal ("," literal)* ")"]
    operand    := literal | fact | "(" expr ")"
    fact       := name ("." name)+ ["(" literal ")"]
    literal    := integer | "double-quoted text" | true | false

Nothing is ever evaluated as Python: the text is tokenised and parsed here into a small
tree, checked against the facts catalogue (names, argument, types, the texts a text fact
can have), and then either walked in Python (`evaluate`) or compiled to DuckDB SQL
(`to_sql`). Unknown facts are false in comparisons (see facts.py), in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onestop.eligibility.facts import BENEFITS, BOOL, FACTS, INT, STR, Facts


class RuleSyntaxError(ValueError):
    """A rule that does not parse or check; the message names the position and the fact."""

    def __init__(self, message: str, position: int | None = None):
        self.position = position
        where = f" at character {position + 1}" if position is not None else ""
        super().__init__(f"{message}{where}")


# ---------------------------------------------------------------- tree

@dataclass(frozen=True)
class Literal:
    value: bool | int | str
    position: int

    @property
    def type(self) -> str:
        if isinstance(self.value, bool):
            return BOOL
        return INT if isinstance(self.value, int) else STR


@dataclass(frozen=True)
class Fact:
    name: str
    argument: str | int | None
    position: int

    @property
    def type(self) -> str:
        return FACTS[self.name].type

    def describe(self, value) -> str:
        spec = FACTS[self.name]
        argument = self.argument
        if spec.argument == "benefit":
            argument = BENEFITS[argument]
        elif spec.argument == "lgsl":
            argument = f"LGSL {argument}"
        label = spec.label.format(arg=argument)
        if spec.type == BOOL:
            return label if value else f"not {label}" if value is False else f"{label}: not known"
        return f"{label}: {'not known' if value is None else value}"


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node
    position: int

    type = BOOL


@dataclass(frozen=True)
class In:
    left: Node
    values: tuple[Literal, ...]
    position: int

    type = BOOL


@dataclass(frozen=True)
class Not:
    operand: Node
    position: int

    type = BOOL


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Node, ...]
    position: int

    type = BOOL


Node = Literal | Fact | Compare | In | Not | BoolOp

# ---------------------------------------------------------------- tokens

TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+)
  | (?P<text>"[^"\\\n]*")
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*)
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[(),])
""", re.VERBOSE)
KEYWORDS = {"and", "or", "not", "in", "true", "false"}
MAX_LENGTH = 2000


@dataclass(frozen=True)
class Token:
    kind: str  # number text name op punct keyword end
    text: str
    position: int


def tokenise(source: str) -> list[Token]:
    if len(source) > MAX_LENGTH:
        raise RuleSyntaxError(f"a rule is at most {MAX_LENGTH} characters")
    tokens, position = [], 0
    while position < len(source):
        match = TOKEN.match(source, position)
        if match is None:
            what = source[position]
            hint = " (text goes in double quotes)" if what == "'" else ""
            raise RuleSyntaxError(f"unexpected {what!r}{hint}", position)
        kind = match.lastgroup
        if kind != "space":
            text = match.group()
            if kind == "name" and text in KEYWORDS:
                kind = "keyword"
            tokens.append(Token(kind, text, position))
        position = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


# ---------------------------------------------------------------- parser

class _Parser:
    def __init__(self, source: str):
        self.tokens = tokenise(source)
        self.at = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def accept(self, kind: str, text: str | None = None) -> Token | None:
        token = self.token
        if token.kind == kind and (text is None or token.text == text):
            return self.take()
        return None

    def expect(self, kind: str, text: str, what: str) -> Token:
        token = self.accept(kind, text)
        if token is None:
            raise RuleSyntaxError(f"expected {what}, found {_shown(self.token)}",
                                  self.token.position)
        return token

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise RuleSyntaxError("the rule is empty", 0)
        node = self.expr()
        if self.token.kind != "end":
            raise RuleSyntaxError(f"expected 'and', 'or' or the end of the rule, found "
                                  f"{_shown(self.token)}", self.token.position)
        return node

    def expr(self) -> Node:
        return self._chain("or", self.and_expr)

    def and_expr(self) -> Node:
        return self._chain("and", self.not_expr)

    def _chain(self, word: str, part) -> Node:
        start = self.token.position
        operands = [part()]
        while self.accept("keyword", word):
            operands.append(part())
        return operands[0] if len(operands) == 1 else BoolOp(word, tuple(operands), start)

    def not_expr(self) -> Node:
        token = self.accept("keyword", "not")
        if token:
            return Not(self._nested(self.not_expr), token.position)
        return self.comparison()

    def _nested(self, part) -> Node:
        # Deep nesting would exhaust Python's stack; no real rule comes near this.
        self.depth += 1
        if self.depth > 50:
            raise RuleSyntaxError("the rule is nested too deeply", self.token.position)
        try:
            return part()
        finally:
            self.depth -= 1

    def comparison(self) -> Node:
        left = self.operand()
        token = self.token
        if token.kind == "op":
            self.take()
            return Compare(token.text, left, self.operand(), token.position)
        if self.accept("keyword", "in"):
            self.expect("punct", "(", "'(' after 'in'")
            values = [self.literal()]
            while self.accept("punct", ","):
                values.append(self.literal())
            self.expect("punct", ")", "')' to close the list")
            return In(left, tuple(values), token.position)
        return left

    def operand(self) -> Node:
        token = self.token
        if self.accept("punct", "("):
            node = self._nested(self.expr)
            self.expect("punct", ")", "')'")
            return node
        if token.kind == "name":
            self.take()
            argument = None
            if self.accept("punct", "("):
                argument = self.literal().value
                self.expect("punct", ")", "')' after the fact's argument")
            return Fact(token.text, argument, token.position)
        return self.literal()

    def literal(self) -> Literal:
        token = self.token
        if token.kind == "number":
            self.take()
            if len(token.text) > 9:  # ages, counts, floors, LGSL numbers: all far smaller
                raise RuleSyntaxError(f"the number {token.text} is too large",
                                      token.position)
            return Literal(int(token.text), token.position)
        if token.kind == "text":
            self.take()
            return Literal(token.text[1:-1], token.position)
        if token.kind == "keyword" and token.text in ("true", "false"):
            self.take()
            return Literal(token.text == "true", token.position)
        raise RuleSyntaxError(f"expected a fact, a number, \"text\", true or false, found "
                              f"{_shown(token)}", token.position)


def _shown(token: Token) -> str:
    return "the end of the rule" if token.kind == "end" else repr(token.text)


# ---------------------------------------------------------------- checks

def _check(node: Node) -> None:
    match node:
        case Fact(name=name, argument=argument, position=position):
            spec = FACTS.get(name)
            if spec is None:
                raise RuleSyntaxError(f"unknown fact {name!r}", position)
            if spec.argument == "benefit":
                if argument not in BENEFITS:
                    raise RuleSyntaxError(
                        f"{name}(...) needs a benefit in double quotes, one of "
                        f"{', '.join(BENEFITS)}; got {argument!r}", position)
            elif spec.argument == "lgsl":
                if not isinstance(argument, int) or isinstance(argument, bool):
                    raise RuleSyntaxError(f"{name}(...) needs an LGSL number, got "
                                          f"{argument!r}", position)
            elif argument is not None:
                raise RuleSyntaxError(f"{name} takes no argument", position)
        case Compare(op=op, left=left, right=right, position=position):
            _check(left)
            _check(right)
            if left.type != right.type:
                raise RuleSyntaxError(f"{op} compares {_what(left)} ({left.type}) with "
                                      f"{_what(right)} ({right.type})", position)
            if op not in ("==", "!=") and left.type != INT:
                raise RuleSyntaxError(f"{op} needs numbers; {_what(left)} is {left.type}",
                                      position)
            _check_text(left, right)
            _check_text(right, left)
        case In(left=left, values=values, position=position):
            _check(left)
            for value in values:
                if value.type != left.type:
                    raise RuleSyntaxError(f"'in' lists {value.value!r} ({value.type}) for "
                                          f"{_what(left)} ({left.type})", value.position)
                _check_text(left, value)
        case Not(operand=operand, position=position):
            _check(operand)
            _need_bool(operand, "not")
        case BoolOp(op=op, operands=operands):
            for operand in operands:
                _check(operand)
                _need_bool(operand, op)


def _check_text(fact: Node, literal: Node) -> None:
    if isinstance(fact, Fact) and isinstance(literal, Literal) and FACTS[fact.name].values \
            and literal.value not in FACTS[fact.name].values:
        raise RuleSyntaxError(f"{fact.name} is never {literal.value!r}; it is one of "
                              f"{', '.join(FACTS[fact.name].values)}", literal.position)


def _need_bool(node: Node, word: str) -> None:
    if node.type != BOOL:
        raise RuleSyntaxError(f"'{word}' needs a yes/no condition; {_what(node)} is "
                              f"{node.type}", node.position)


def _what(node: Node) -> str:
    if isinstance(node, Fact):
        return node.name
    if isinstance(node, Literal):
        return repr(node.value)
    return "the condition"


def parse(source: str) -> Node:
    """The checked tree of `source`, which must be a yes/no condition over known facts.

    Raises RuleSyntaxError naming the position (1-based character) and the fact."""
    if not isinstance(source, str):
        raise RuleSyntaxError("a rule is text")
    node = _Parser(source).parse()
    _check(node)
    if node.type != BOOL:
        raise RuleSyntaxError(f"a rule must be a yes/no condition; {_what(node)} is "
                              f"{node.type}", node.position)
    return node


def facts_named(node: Node) -> set[tuple[str, str | int | None]]:
    match node:
        case Fact(name=name, argument=argument):
            return {(name, argument)}
        case Compare(left=left, right=right):
            return facts_named(left) | facts_named(right)
        case In(left=left):
            return facts_named(left)
        case Not(operand=operand):
            return facts_named(operand)
        case BoolOp(operands=operands):
            return set().union(*(facts_named(o) for o in operands))
    return set()


# ---------------------------------------------------------------- Python evaluator

_COMPARE = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def evaluate(node: Node, facts: Facts) -> tuple[bool, list[str]]:
    """The condition's value for one resident, and the facts that decided it, described
    in plain English ("school-age children in the household: 2").

    Short-circuits as people read: 'a and b' is decided by the first false part (or by
    all when true), 'a or b' by the first true part (or by all when false)."""
    match node:
        case Literal(value=value):
            return bool(value), []
        case Fact():
            value = facts.value(node.name, node.argument)
            return value is True, [node.describe(value)]
        case Compare(op=op, left=left, right=right):
            (a, why_a), (b, why_b) = _operand(left, facts), _operand(right, facts)
            if a is None or b is None:
                return False, why_a + why_b
            return _COMPARE[op](a, b), why_a + why_b
        case In(left=left, values=values):
            value, why = _operand(left, facts)
            return value is not None and value in {v.value for v in values}, why
        case Not(operand=operand):
            value, why = evaluate(operand, facts)
            return not value, why
        case BoolOp(op=op, operands=operands):
            reasons: list[str] = []
            for operand in operands:
                value, why = evaluate(operand, facts)
                if value == (op == "or"):
                    return value, why
                reasons += why
            return op == "and", reasons
    raise TypeError(node)


def _operand(node: Node, facts: Facts):
    if isinstance(node, Literal):
        return node.value, []
    if isinstance(node, Fact):
        value = facts.value(node.name, node.argument)
        return value, [node.describe(value)]
    value, why = evaluate(node, facts)
    return value, why


# ---------------------------------------------------------------- SQL compiler

def sql_literal(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def fact_sql(name: str, argument) -> str:
    """The facts table's expression for a fact (see screening.FACTS_SQL for the columns)."""
    column = name.replace(".", "_")
    spec = FACTS[name]
    if spec.argument:
        # Lists of benefit codes / LGSL numbers; a resident with none has NULL.
        return f"list_contains({column}, {sql_literal(argument)})"
    return column


def to_sql(node: Node) -> str:
    """A DuckDB boolean expression that is never NULL and is true exactly when `evaluate`
    says true: every comparison with an unknown fact is made false explicitly."""
    match node:
        case Literal(value=value):
            return sql_literal(bool(value))
        case Fact(name=name, argument=argument):
            return f"COALESCE({fact_sql(name, argument)}, FALSE)"
        case Compare(op=op, left=left, right=right):
            sql_op = {"==": "=", "!=": "<>"}.get(op, op)
            return f"COALESCE(({_value_sql(left)} {sql_op} {_value_sql(right)}), FALSE)"
        case In(left=left, values=values):
            listed = ", ".join(sql_literal(v.value) for v in values)
            return f"COALESCE(({_value_sql(left)} IN ({listed})), FALSE)"
        case Not(operand=operand):
            return f"(NOT {to_sql(operand)})"
        case BoolOp(op=op, operands=operands):
            return "(" + f" {op.upper()} ".join(to_sql(o) for o in operands) + ")"
    raise TypeError(node)


def _value_sql(node: Node) -> str:
    if isinstance(node, Literal):
        return sql_literal(node.value)
    if isinstance(node, Fact) and node.type != BOOL:
        return fact_sql(node.name, node.argument)
    # Yes/no facts are never unknown in Python (no benefits recorded is "no"): the same here.
    return to_sql(node)
