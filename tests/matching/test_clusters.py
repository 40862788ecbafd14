"""Clusters: union-find under review decisions, refusing joins that contradict records."""

from __future__ import annotations

import pytest

from onestop.matching.linkage.clusters import Clusters
from onestop.matching.linkage.coherence import Known, edits_within
from onestop.matching.linkage.run import ScoredPair, band_pairs

RUSSELL, R_HALE, RUTH = 1, 2, 3


def hale_household() -> Clusters:
    """Russell and Ruth Hale at one address, and "R Hale" on the garden-waste list."""
    return Clusters([RUSSELL, R_HALE, RUTH], {
        RUSSELL: Known.of("russell", "russell", "1985-05-05"),
        R_HALE: Known.of("r", "", None),
        RUTH: Known.of("ruth", "ruth", "1985-12-05"),
    })


def test_a_chain_through_an_initial_does_not_make_husband_and_wife_one_person():
    clusters = hale_household()
    assert clusters.join(R_HALE, RUSSELL)  # the stronger pair first
    assert not clusters.join(R_HALE, RUTH)
    assert sorted(map(sorted, clusters.members().values())) == [[1, 2], [3]]


def test_a_team_leaders_same_decision_is_not_checked():
    clusters = hale_household()
    assert clusters.join(RUSSELL, RUTH, checked=False)
    assert clusters.find(RUSSELL) == clusters.find(RUTH)


def test_what_a_cluster_knows_grows_as_it_joins():
    clusters = Clusters([1, 2, 3], {1: Known.of("margaret", "margaret", None),
                                    2: Known.of(None, None, "1958-03-14"),
                                    3: Known.of("margaret", "margaret", "1961-07-01")})
    assert clusters.join(1, 2)
    assert not clusters.join(1, 3)  # 3's date of birth contradicts 2's, now 1's cluster's


def test_a_different_decision_still_keeps_records_apart():
    clusters = Clusters([1, 2, 3])
    clusters.keep_apart(1, 3)
    assert clusters.join(1, 2)
    assert not clusters.join(2, 3)


@pytest.mark.parametrize(("a", "b"), [
    (Known.of("robert", "robert", None), Known.of("bob", "robert", None)),  # a nickname
    (Known.of("ruth", "ruth", None), Known.of("rutj", "rutj", None)),  # one slip
    (Known.of("christopher", "christopher", None), Known.of("christpoher", "x", None)),
    (Known.of("jonathan", "jonathan", None), Known.of("jonathon", "jonathon", None)),
    (Known.of("amy", "amy", "1988-03-23"), Known.of("amy", "amy", "1988-03-23")),
    (Known.of(None, None, "1988-03-04"), Known.of(None, None, "1988-04-03")),  # swapped
    (Known.of(None, None, "1988-03-04"), Known.of(None, None, "1988-03-05")),  # one digit
    (Known.of("r", "", None), Known.of("ruth", "ruth", None)),  # an initial says nothing
])
def test_records_of_one_resident_agree(a, b):
    assert a.agrees_with(b) and b.agrees_with(a)


@pytest.mark.parametrize(("a", "b"), [
    (Known.of("russell", "russell", None), Known.of("ruth", "ruth", None)),
    (Known.of("jay", "jay", None), Known.of("jayne", "jayne", None)),
    (Known.of("adam", "adam", None), Known.of("aimee", "aimee", None)),
    (Known.of("yuliia", "yuliia", "1995-05-05"), Known.of("yuliia", "yuliia", "2022-07-02")),
])
def test_records_of_two_residents_contradict_each_other(a, b):
    assert not a.agrees_with(b) and not b.agrees_with(a)


@pytest.mark.parametrize(("a", "b", "limit", "within"), [
    ("ruth", "ruth", 0, True), ("ruth", "rutj", 1, True), ("ruth", "rtuh", 1, True),
    ("ruth", "ruh", 1, True), ("ruth", "rutth", 1, True), ("ruth", "russell", 2, False),
    ("christopher", "cristofer", 2, False), ("christopher", "christohper", 1, True),
    ("", "ab", 2, True), ("", "abc", 2, False),
])
def test_edits_within_counts_insertions_deletions_substitutions_and_swaps(a, b, limit, within):
    assert edits_within(a, b, limit) is within
    assert edits_within(b, a, limit) is within


def test_tied_pairs_are_banded_the_same_whatever_order_they_come_in():
    tied = [ScoredPair(RUSSELL, R_HALE, 0.95, 4.2, []), ScoredPair(R_HALE, RUTH, 0.95, 4.2, [])]
    outcomes = []
    for pairs in (tied, tied[::-1]):
        clusters = hale_household()
        banded = band_pairs(pairs, clusters, {}, 0.9)
        outcomes.append(([(p.left, p.right, band) for p, band in banded],
                         sorted(map(sorted, clusters.members().values()))))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1] == [[1, 2], [3]]  # the first pair in record order links
