"""Reads of the master index that the clerical review pages and the person page share.

The review queue is scoped like every other read of residents: a pair is listed only where
the user may see each record's person (`onestop.people.queries.visible_people`), so the
queue never offers a pair whose page would be refused. The comparison helpers are pure
functions over records already fetched, so pages that use them make no queries in loops.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from onestop.matching.linkage.golden import display_name
from onestop.matching.models import RecordPair, ReviewDecision, SourceRecord
from onestop.matching.profiles import ProfileError, load_profile
from onestop.people.queries import visible_people

__all__ = ["ComparedValue", "Conflict", "ExplanationRow", "QueueRow", "SourceRow",
           "conflicting_values", "decision_on", "explanation_rows", "held_apart",
           "next_pair_for_review", "pair_for_review", "queue_rows", "record_name",
           "review_queue", "side_by_side", "source_rows", "source_title", "weight_in_words"]

NOT_GIVEN = "Not given"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@lru_cache(maxsize=64)
def source_title(source: str) -> str:
    """The human name of a back-office system ("council_tax" → "Council tax"); a system
    without a shipped profile is shown by its own name."""
    try:
        return load_profile(source).title or source
    except ProfileError:
        return source


def _day(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def record_name(record: SourceRecord) -> str:
    """The record's name as a person would write it: "Mrs Margaret Ann Okafor"."""
    parts = (record.title, record.given_name, record.middle_names, record.family_name)
    return display_name(" ".join(part for part in parts if part))


def _address(record: SourceRecord) -> str:
    return ", ".join(part for part in (display_name(record.address), record.postcode) if part)


# --- the review queue ---------------------------------------------------------------------


def review_queue(user) -> QuerySet[RecordPair]:
    """Undecided pairs in the review band that `user` may see, most probable first."""
    decided = ReviewDecision.objects.filter(left_id=OuterRef("left_id"),
                                            right_id=OuterRef("right_id"))
    people = visible_people(user).values("pk")
    return (RecordPair.objects.filter(band=RecordPair.Band.REVIEW)
            .filter(~Exists(decided))
            .filter(Q(left__person__isnull=True) | Q(left__person__in=people))
            .filter(Q(right__person__isnull=True) | Q(right__person__in=people))
            .select_related("left", "right")
            .order_by("-match_probability", "left_id", "right_id"))


def next_pair_for_review(user) -> RecordPair | None:
    return review_queue(user).first()


@dataclass(frozen=True)
class QueueRow:
    pair: RecordPair
    left_name: str
    left_source: str
    right_name: str
    right_source: str
    probability: str


def queue_rows(pairs: Iterable[RecordPair]) -> list[QueueRow]:
    """What the queue page shows of each pair (their records are selected with them)."""
    return [QueueRow(pair=pair, left_name=record_name(pair.left),
                     left_source=source_title(pair.left.source),
                     right_name=record_name(pair.right),
                     right_source=source_title(pair.right.source),
                     probability=f"{pair.match_probability:.1%}")
            for pair in pairs]


def pair_for_review() -> QuerySet[RecordPair]:
    """Pairs with both records, when each was last seen, whose they are, and their run."""
    return RecordPair.objects.select_related("left__last_seen", "right__last_seen",
                                             "left__person", "right__person", "run")


def held_apart(pair: RecordPair) -> bool:
    """A pair that scored as a link but was kept for review: joining it would have put
    contradicting records (or a pair a team leader kept apart) into one person."""
    return (pair.band == RecordPair.Band.REVIEW
            and pair.match_probability >= pair.run.link_threshold)


def decision_on(pair: RecordPair) -> ReviewDecision | None:
    return (ReviewDecision.objects.select_related("decided_by")
            .filter(left_id=pair.left_id, right_id=pair.right_id).first())


# --- one pair, side by side ---------------------------------------------------------------


@dataclass(frozen=True)
class ComparedValue:
    label: str
    left: str
    right: str
    # Both records give a value and the values are not the same. A value only one record
    # gives is no evidence either way, as it is to the linkage model.
    differs: bool


def _attribute_value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return _day(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def side_by_side(left: SourceRecord, right: SourceRecord) -> list[ComparedValue]:
    """Every identity field and attribute of two records, marking the ones that differ.

    Identity fields are compared in their standardised form (what linkage compared) and
    shown readably. The records' `last_seen` should be selected with them.
    """
    rows = [
        ComparedValue("System", source_title(left.source), source_title(right.source), False),
        ComparedValue("Reference", left.reference, right.reference, False),
        ComparedValue("Last seen", _day(timezone.localdate(left.last_seen.started_at)),
                      _day(timezone.localdate(right.last_seen.started_at)), False),
    ]
    identity = [
        ("Name", lambda r: (r.given_name, r.middle_names, r.family_name), record_name),
        ("Date of birth", lambda r: r.date_of_birth, lambda r: _day(r.date_of_birth)),
        ("Address", lambda r: r.address, lambda r: display_name(r.address)),
        ("Postcode", lambda r: r.postcode, lambda r: r.postcode),
        ("UPRN", lambda r: r.uprn, lambda r: str(r.uprn or "")),
        ("National Insurance number", lambda r: r.national_insurance_number,
         lambda r: r.national_insurance_number),
        ("Phone", lambda r: r.phone, lambda r: r.phone),
        ("Email", lambda r: r.email, lambda r: r.email),
    ]
    for label, key, shown in identity:
        left_key, right_key = key(left), key(right)
        both = _given(left_key) and _given(right_key)
        rows.append(ComparedValue(label, shown(left) or NOT_GIVEN, shown(right) or NOT_GIVEN,
                                  both and left_key != right_key))
    names = list(dict.fromkeys([*(left.attributes or {}), *(right.attributes or {})]))
    for name in names:
        left_value = _attribute_value((left.attributes or {}).get(name))
        right_value = _attribute_value((right.attributes or {}).get(name))
        rows.append(ComparedValue(name.replace("_", " ").capitalize(),
                                  left_value or NOT_GIVEN, right_value or NOT_GIVEN,
                                  bool(left_value and right_value and left_value != right_value)))
    return rows


def _given(value: Any) -> bool:
    if isinstance(value, tuple):
        return any(value)
    return value not in (None, "")


@dataclass(frozen=True)
class ExplanationRow:
    comparison: str
    found: str
    weight: float
    in_words: str


def weight_in_words(weight: float) -> str:
    """A match weight said plainly, so that its sign is not carried by a minus alone."""
    if weight > 0:
        return f"+{weight:.2f}, towards the same person"
    if weight < 0:
        return f"\u2212{-weight:.2f}, towards different people"
    return "0.00, neither way"


def explanation_rows(pair: RecordPair) -> list[ExplanationRow]:
    """The pair's comparisons, then the starting weight they were added to.

    The starting weight (the model's prior: how rare a match is between two records picked
    at random) is what is left of the total once the comparisons are taken away.
    """
    rows = []
    total = 0.0
    for step in pair.explanation or []:
        weight = float(step.get("weight") or 0.0)
        total += weight
        rows.append(ExplanationRow(str(step.get("comparison", "")), str(step.get("level", "")),
                                   weight, weight_in_words(weight)))
    if rows:
        prior = round(pair.match_weight - total, 2)
        rows.append(ExplanationRow("Starting point", "How likely any two records are to be "
                                   "the same person, before comparing them", prior,
                                   weight_in_words(prior)))
    return rows


# --- the single citizen view --------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    record: SourceRecord
    system: str
    last_seen: dt.date
    retired: bool


def source_rows(records: Iterable[SourceRecord]) -> list[SourceRow]:
    """A person's source records as the person page lists them (`last_seen` selected)."""
    return [SourceRow(record=r, system=source_title(r.source),
                      last_seen=timezone.localdate(r.last_seen.started_at),
                      retired=r.retired_at is not None)
            for r in records]


@dataclass(frozen=True)
class Conflict:
    """One detail on which a person's records disagree: each value with who gave it."""

    label: str
    values: list[tuple[str, list[str]]]


CONFLICT_FIELDS = (
    ("Name", lambda r: (r.given_name, r.middle_names, r.family_name), record_name),
    ("Date of birth", lambda r: r.date_of_birth, lambda r: _day(r.date_of_birth)),
    ("Address", lambda r: (r.address, r.postcode), _address),
    ("National Insurance number", lambda r: r.national_insurance_number,
     lambda r: r.national_insurance_number),
)


def conflicting_values(records: Iterable[SourceRecord]) -> list[Conflict]:
    """The details (name, date of birth, address, NI number) a person's current records
    give differently, each value listed once with the systems that give it.

    Pure: no queries. Retired records are history (an old address is not a conflict), so
    only current ones count; a record that does not give a detail is not a conflict.
    """
    current = [r for r in records if r.retired_at is None]
    conflicts = []
    for label, key, shown in CONFLICT_FIELDS:
        by_value: dict[Any, tuple[str, list[str]]] = {}
        for record in current:
            value = key(record)
            if not _given(value):
                continue
            entry = by_value.setdefault(value, (shown(record), []))
            title = source_title(record.source)
            if title not in entry[1]:
                entry[1].append(title)
        if len(by_value) > 1:
            conflicts.append(Conflict(label, list(by_value.values())))
    return conflicts
