"""Whether two clusters of records can be one resident: no contradiction between them.

Pairwise scores see two records at a time, so a chain can join people no single pair
would: "R Hale" on the garden-waste list scores high against both Russell and Ruth Hale
at the same address, and linking both pairs would make husband and wife one person.
Before two clusters join on a score, every full given name in one must be compatible with
every full given name in the other, and every known date of birth with every known date
of birth. An initial or a missing date contradicts nothing. A team leader's "same"
decision is not checked: people outrank the rule.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Known:
    """What a cluster's records say of who it is: full given names and dates of birth."""

    names: frozenset[tuple[str, str]] = frozenset()  # (given name, nickname group)
    births: frozenset[str] = frozenset()  # ISO dates

    @classmethod
    def of(cls, given: str | None, group: str | None, born: str | None) -> Known:
        names = frozenset({(given, group or given)}) if given and len(given) > 1 else frozenset()
        return cls(names, frozenset({born}) if born else frozenset())

    def __or__(self, other: Known) -> Known:
        return Known(self.names | other.names, self.births | other.births)

    def agrees_with(self, other: Known) -> bool:
        return (all(_names_agree(a, b) for a in self.names for b in other.names)
                and all(_births_agree(a, b) for a in self.births for b in other.births))


NOTHING = Known()


def _names_agree(a: tuple[str, str], b: tuple[str, str]) -> bool:
    (name_a, group_a), (name_b, group_b) = a, b
    if group_a == group_b:
        return True  # one name, or a nickname of it ("Alex", "Alexander")
    # Not a shortening in general: Jay and Jayne are husband and wife as often as not.
    # A typo: one slip, or two in a long name.
    return edits_within(name_a, name_b, 2 if min(len(name_a), len(name_b)) >= 7 else 1)


def _births_agree(a: str, b: str) -> bool:
    if a == b or edits_within(a, b, 1):
        return True  # the same date, or one digit slipped
    # Day and month swapped: yyyy-mm-dd against yyyy-dd-mm.
    return a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]


def edits_within(a: str, b: str, limit: int) -> bool:
    """True when `a` becomes `b` in at most `limit` insertions, deletions, substitutions or
    swaps of neighbouring letters (optimal string alignment distance)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]):
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[len(b)] <= limit
