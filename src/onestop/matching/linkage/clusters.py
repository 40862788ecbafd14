"""Clusters of source records from linked pairs, obeying clerical-review decisions.

Union-find over the pairs, strongest first. A pair marked "same" is joined before any
scored pair; a pair marked "different" is a wall: no chain of other links may put its two
records in one cluster, so a join that would is refused (and the pair that asked for it
goes to review rather than being silently lost). A scored pair also may not join two
clusters whose records contradict each other (`coherence`): that stops a chain of links
through an initial from making two people one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from onestop.matching.linkage.coherence import NOTHING, Known


class Clusters:
    def __init__(self, records: Iterable[int], known: Mapping[int, Known] | None = None
                 ) -> None:
        self.parent = {record: record for record in records}
        # Root → the roots of clusters it must never join (from "different" decisions).
        self.apart: dict[int, set[int]] = {}
        # Root → what its records say of who it is (only for records whose facts were given).
        self.known: dict[int, Known] = dict(known or {})

    def find(self, record: int) -> int:
        parent = self.parent
        root = record
        while parent[root] != root:
            root = parent[root]
        while parent[record] != root:  # path compression
            parent[record], record = root, parent[record]
        return root

    def keep_apart(self, left: int, right: int) -> None:
        a, b = self.find(left), self.find(right)
        self.apart.setdefault(a, set()).add(b)
        self.apart.setdefault(b, set()).add(a)

    def join(self, left: int, right: int, *, checked: bool = True) -> bool:
        """Join the clusters of two records; False when a decision keeps them apart or,
        `checked`, when their records contradict each other."""
        a, b = self.find(left), self.find(right)
        if a == b:
            return True
        walls_a, walls_b = self.apart.get(a, set()), self.apart.get(b, set())
        if b in walls_a:
            return False
        known_a, known_b = self.known.get(a, NOTHING), self.known.get(b, NOTHING)
        if checked and not known_a.agrees_with(known_b):
            return False
        if len(walls_a) < len(walls_b):
            a, b, walls_a, walls_b = b, a, walls_b, walls_a
        self.parent[b] = a
        if known_a is not NOTHING or known_b is not NOTHING:
            self.known[a] = known_a | known_b
            self.known.pop(b, None)
        if walls_b:
            for other in walls_b:
                walls = self.apart[other]
                walls.discard(b)
                walls.add(a)
            walls_a |= walls_b
            self.apart[a] = walls_a
            del self.apart[b]
        return True

    def members(self) -> dict[int, list[int]]:
        """Root → records of that cluster."""
        groups: dict[int, list[int]] = {}
        for record in self.parent:
            groups.setdefault(self.find(record), []).append(record)
        return groups
