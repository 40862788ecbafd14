"""What a rule's author may learn from a preview: counts of their own councils' residents by
verdict, under disclosure control (onestop.core.disclosure), never a resident.

The unrounded counts come from `screening.impact` (which the evaluators-agree test checks
against the per-person evaluator); everything here is what may be shown of them. Each
count, the total and the two changes are protected from their own unrounded values, so a
reader never has to subtract rounded numbers, and subtracting them undoes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from onestop.authorities.models import Authority
from onestop.core.disclosure import ShownCount, protect
from onestop.eligibility import screening
from onestop.eligibility.definitions import RuleDefinition


@dataclass(frozen=True)
class ShownImpact:
    """`screening.Impact` as it may be shown."""

    residents: ShownCount
    counts: dict[str, ShownCount]  # verdict → residents under the rule previewed
    in_use: dict[str, ShownCount] | None  # the same under the rule in use, if compared
    newly_offered: ShownCount | None
    no_longer_offered: ShownCount | None

    def as_audit(self) -> dict:
        """What the author was shown, for the audit log (text, as on the page)."""
        shown = {"residents": str(self.residents),
                 "by_verdict": {v: str(c) for v, c in self.counts.items()}}
        if self.in_use is not None:
            shown |= {"in_use_by_verdict": {v: str(c) for v, c in self.in_use.items()},
                      "newly_offered": str(self.newly_offered),
                      "no_longer_offered": str(self.no_longer_offered)}
        return shown


def shown(impact: screening.Impact) -> ShownImpact:
    compared = impact.in_use is not None
    return ShownImpact(
        residents=protect(impact.residents),
        counts={v: protect(n) for v, n in impact.counts.items()},
        in_use={v: protect(n) for v, n in impact.in_use.items()} if compared else None,
        newly_offered=protect(impact.newly_offered) if compared else None,
        no_longer_offered=protect(impact.no_longer_offered) if compared else None)


@dataclass(frozen=True)
class RulePreview:
    """A preview as its author sees it. `impact` is None when they act for no council:
    there is nobody they may count."""

    definition: RuleDefinition
    in_use: RuleDefinition | None
    authorities: list[Authority]
    today: dt.date
    impact: ShownImpact | None


def count(definition: RuleDefinition, in_use: RuleDefinition | None,
          authorities: list[Authority], today: dt.date) -> RulePreview:
    """Judge every living resident whose home lies in `authorities` by both rules."""
    if not authorities:
        return RulePreview(definition, in_use, authorities, today, None)
    db = screening.connect(screening.read_main_database({a.pk for a in authorities}), today)
    try:
        impact = screening.impact(db, definition, in_use)
    finally:
        db.close()
    return RulePreview(definition, in_use, authorities, today, shown(impact))
