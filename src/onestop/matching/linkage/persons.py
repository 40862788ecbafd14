"""Clusters of source records → persons, keeping person ids stable across runs.

A cluster keeps the person most of its records already belong to. A person whose records
now fall in another person's cluster is merged into it (its contacts, needs, consents and
the rest move with it) and deleted; records that leave a person's cluster for a cluster of
their own become a new person, split off. Every merge and split is recorded with its reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import models

from onestop.core.bulk import bulk_insert, bulk_repoint, bulk_set, chunks, values_where_in
from onestop.matching.linkage.golden import FACT_FIELDS, Fact, new_people, write_golden
from onestop.matching.models import LinkageRun, PersonChange, SourceRecord
from onestop.people.models import Person


@dataclass
class Outcome:
    created: int = 0
    merges: int = 0
    splits: int = 0
    touched: set[int] = field(default_factory=set)


def assign_people(clusters: dict[int, list[int]], run: LinkageRun,
                  reasons: dict[frozenset[int], str]) -> Outcome:
    """Point every record at its cluster's person, creating and merging persons as needed.

    `clusters` hold every active record of each person they touch (a full run's hold every
    active record), so each person's golden record is made from its cluster's records.
    `reasons` maps a pair of person ids (or a record id to a person, for splits) to why
    they were joined; it defaults to a plain statement of the linkage.
    """
    current: dict[int, int | None] = {}  # record → its person before this run
    facts: dict[int, Fact] = {}
    for pk, person, *fact in values_where_in(
            SourceRecord.objects.filter(retired_at__isnull=True), "pk",
            (r for members in clusters.values() for r in members), "person_id", *FACT_FIELDS):
        current[pk], facts[pk] = person, tuple(fact)
    owners = _choose_owners(clusters, current)
    outcome = Outcome()
    fresh = [root for root in clusters if owners[root] is None]
    created = new_people([[facts[r] for r in clusters[root] if r in facts] for root in fresh])
    owners.update(zip(fresh, created, strict=True))
    outcome.created = len(created)

    moves: list[tuple[int, int]] = []  # (record, person)
    left_from: dict[int, Counter[int]] = {}  # old person → new person → records moved
    for root, members in clusters.items():
        owner = owners[root]
        for record in members:
            before = current.get(record)
            if before != owner:
                moves.append((record, owner))
                if before is not None:
                    left_from.setdefault(before, Counter())[owner] += 1
    _move_records(moves)
    outcome.touched = set(owners.values()) | set(left_from)
    changes = [(PersonChange.Kind.CREATED, owners[root], None, run.pk,
                len(clusters[root]),
                f"{len(clusters[root])} source record(s) not yet linked to anyone")
               for root in fresh]
    emptied = set(left_from) - set(owners.values())
    for old, destinations in left_from.items():
        for new, count in destinations.items():
            if old in emptied and new == destinations.most_common(1)[0][0]:
                continue  # recorded as the merge below
            changes.append((PersonChange.Kind.SPLIT, new, old, run.pk, count, reasons.get(
                frozenset((old, new)),
                f"{count} record(s) of person {old} no longer link to its other records")))
            outcome.splits += 1
    merges = [(old, left_from[old].most_common(1)[0][0]) for old in emptied]
    merge_people(merges)
    for old, survivor in merges:
        count = left_from[old][survivor]
        changes.append((PersonChange.Kind.MERGED, survivor, old, run.pk, count, reasons.get(
            frozenset((old, survivor)),
            f"the records of person {old} link to the records of person {survivor}")))
        outcome.merges += 1
    bulk_insert(PersonChange, ["kind", "person", "other_person_id", "run", "records",
                               "reason"], changes)
    outcome.touched -= emptied
    # New persons were made with their golden record; the others may have changed.
    made = set(created)
    kept = {owners[root]: root for root in clusters if owners[root] not in made}
    write_golden({person: [facts[r] for r in clusters[root] if r in facts]
                  for person, root in kept.items()})
    return outcome


def _choose_owners(clusters: dict[int, list[int]], current: dict[int, int | None]
                   ) -> dict[int, int | None]:
    """Each cluster's person: the one holding most of its records, each person once."""
    claims = []  # (records held, -person id, cluster root)
    for root, records in clusters.items():
        held = Counter(current[r] for r in records if current.get(r) is not None)
        claims += [(count, -person, root) for person, count in held.items()]
    owners: dict[int, int | None] = dict.fromkeys(clusters)
    taken: set[int] = set()
    # The biggest claims first: a person split in two stays with the larger part.
    for _count, negative_person, root in sorted(claims, reverse=True):
        person = -negative_person
        if owners[root] is None and person not in taken:
            owners[root] = person
            taken.add(person)
    return owners


def _move_records(moves: list[tuple[int, int]]) -> None:
    # A moved record has been linked as it stands: clearing its flag in the same UPDATE
    # spares the run a second pass over (at a first link) every record.
    bulk_set(SourceRecord, ["person", "needs_linking"],
             [(record, person, False) for record, person in moves])


def merge_person_into(old: int, survivor: int) -> None:
    """Move everything that points at person `old` to `survivor`, then delete `old`.

    Generic over every model with a foreign key to Person, so a context added later is
    covered without changing this code. Where a unique constraint would be broken (a need
    or benefit both already have) the survivor's row is kept.
    """
    for relation in Person._meta.related_objects:
        if not relation.one_to_many or relation.related_model is PersonChange:
            continue
        _move_unique_rows(relation.related_model, relation.field.name, old, survivor)
    Person.objects.filter(pk=old).delete()


def merge_people(merges: list[tuple[int, int]]) -> None:
    """`merge_person_into(old, survivor)` for each pair, in a few statements per model.

    A relink can merge thousands of persons; one by one that is a dozen statements each.
    Rows with nothing unique about their person move in one UPDATE per model; rows that a
    unique constraint could make clash with the survivor's go person by person, in order,
    as single merges do. No survivor may itself be merged away.
    """
    if not merges:
        return
    survivor_of = dict(merges)
    for relation in Person._meta.related_objects:
        if not relation.one_to_many or relation.related_model is PersonChange:
            continue
        model, name = relation.related_model, relation.field.name
        if not any(isinstance(constraint, models.UniqueConstraint) and name in constraint.fields
                   for constraint in model._meta.constraints):
            bulk_repoint(model, name, merges)
            continue
        holding = {person for person, in values_where_in(model._base_manager.all(), name,
                                                          survivor_of)}
        for old, survivor in merges:
            if old in holding:
                _move_unique_rows(model, name, old, survivor)
    for ids in chunks(survivor_of):
        Person.objects.filter(pk__in=ids).delete()


def _move_unique_rows(model: type[models.Model], name: str, old: int, survivor: int) -> None:
    """Point `old`'s rows of `model` at `survivor`, keeping the survivor's row where a
    unique constraint would otherwise be broken."""
    rows = model._base_manager.filter(**{name: old})
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and name in constraint.fields:
            others = [f for f in constraint.fields if f != name]
            kept = model._base_manager.filter(**{name: survivor}).values_list(*others)
            for values in kept:
                rows.filter(**dict(zip(others, values, strict=True))).delete()
    rows.update(**{name: survivor})
