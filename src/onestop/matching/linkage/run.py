"""A linkage run from end to end: score pairs, cluster them under the decisions, assign persons.

Full: train the model on every active record, score every blocked pair, re-cluster all.
Incremental: reuse the last full run's trained model and score only pairs that involve a
record an import has added, changed or revived since the last run (`needs_linking`) —
against each other and against the rest of the index — so a 10,000-row extract links
without rebuilding a million-record index. A changed record can join another person (a
corrected name, a move); a person is split only where a "different" decision says so —
otherwise splitting needs a full run, which re-clusters everything.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from django.db.models import Q

from onestop.core.bulk import bulk_insert, bulk_set, chunks
from onestop.matching.linkage import frame
from onestop.matching.linkage.clusters import Clusters
from onestop.matching.linkage.coherence import Known
from onestop.matching.linkage.golden import refresh_people
from onestop.matching.linkage.model import (
    explain,
    is_current,
    model_json,
    saved_linker,
    trained_linker,
)
from onestop.matching.linkage.persons import assign_people
from onestop.matching.models import LinkageRun, RecordPair, ReviewDecision, SourceRecord

TF_COLUMNS = ("given_name", "family_name", "postcode")
FETCH_BATCH = 50_000

Progress = Callable[[str], None]


class LinkageError(RuntimeError):
    """A linkage run cannot start; the message says what to do first."""


@dataclass(frozen=True, eq=False)
class ScoredPair:
    left: int
    right: int
    probability: float
    weight: float
    explanation: list


def _scored(rows: Iterable[dict]) -> list[ScoredPair]:
    pairs = []
    # One dict per distinct (comparison, level, weight), shared by every pair that has it:
    # a million pairs' explanations would otherwise hold six million dicts.
    shared: dict[tuple, dict] = {}
    for row in rows:
        left, right = sorted((int(row["unique_id_l"]), int(row["unique_id_r"])))
        explanation = [shared.setdefault(tuple(part.values()), part) for part in explain(row)]
        pairs.append(ScoredPair(left, right, float(row["match_probability"]),
                                float(row["match_weight"]), explanation))
    return pairs


def _rows(predictions) -> Iterator[dict]:
    """The scored pairs as dicts of only what a ScoredPair needs: Splink's own record list
    carries every retained column, which at a million records is most of a run's memory."""
    relation = predictions.as_duckdbpyrelation()
    wanted = [column for column in relation.columns if column in (
        "unique_id_l", "unique_id_r", "match_probability", "match_weight")
        or column.startswith(("gamma_", "mw_"))]
    for batch in relation.select(*wanted).to_arrow_reader(FETCH_BATCH):
        columns = [batch.column(name).to_pylist() for name in wanted]
        for values in zip(*columns, strict=True):
            yield dict(zip(wanted, values, strict=True))


def known_of(records: pa.Table, ids: Iterable[int]) -> dict[int, Known]:
    """Record → its full given name and date of birth, for the clusters' coherence check,
    for the records `ids` among `records` (only records in a scored pair can join)."""
    wanted = pc.is_in(records.column("unique_id"), value_set=pa.array(list(ids), pa.int64()))
    records = records.filter(wanted)
    columns = [records.column(name).to_pylist() for name in
               ("unique_id", "given_name", "name_group", "date_of_birth")]
    return {record: Known.of(given, group, born)
            for record, given, group, born in zip(*columns, strict=True)
            if (given and len(given) > 1) or born}


def run_full(run: LinkageRun, progress: Progress) -> None:
    progress("reading source records")
    records = frame.records_table(frame.active_records())
    run.records = records.num_rows
    if records.num_rows < 2:
        raise LinkageError("there are fewer than two active source records: import the "
                           "back-office extracts first (onestop import_extract)")
    progress("estimating the model's parameters (no labels needed)")
    linker, _database = trained_linker(records)
    run.model = model_json(linker)
    progress("scoring blocked pairs")
    predictions = linker.inference.predict(threshold_match_probability=run.review_threshold)
    pairs = _scored(_rows(predictions))
    ids = records.column("unique_id").to_pylist()
    paired = {p.left for p in pairs} | {p.right for p in pairs}
    # A "same" decision joins records no scored pair may hold; their facts count too.
    for left, right in ReviewDecision.objects.values_list("left_id", "right_id"):
        paired |= {left, right}
    _finish(run, pairs, Clusters(ids, known_of(records, paired)), progress,
            replace_pairs=True)


def run_incremental(run: LinkageRun, progress: Progress) -> None:
    previous = (LinkageRun.objects.filter(mode=LinkageRun.Mode.FULL, finished_at__isnull=False)
                .exclude(model={}).first())
    if previous is None:
        raise LinkageError("no full linkage run to build on: run `onestop link --full` first")
    if not is_current(previous.model):
        raise LinkageError("the linkage model's comparisons or blocking rules have changed "
                           "since the last full run: run `onestop link --full` to retrain")
    run.model = previous.model
    progress("reading source records")
    active = frame.active_records()
    # A record without a person (its person deleted) needs linking whatever its flag says.
    to_link = Q(needs_linking=True) | Q(person__isnull=True)
    before = frame.previous_homes()  # read once for both tables
    new = frame.records_table(active.filter(to_link), before)
    run.records = new.num_rows
    lost_records = _people_with_records_retired_since_the_last_run()
    if new.num_rows == 0:
        progress("no new or changed records")
        _finish(run, [], Clusters([]), progress, replace_pairs=False)
        refresh_people(lost_records)
        return
    existing = frame.records_table(active.exclude(to_link), before)
    everything = pa.concat_tables([existing, new])
    linker, database = saved_linker(everything, previous.model)
    for column in TF_COLUMNS:
        linker.table_management.compute_tf_table(column)
    progress("scoring new records against the index and each other")
    new_frame = database.register(new, table_name="new_records")
    old_frame = database.register(existing, table_name="existing_records")
    pairs = _scored(_rows(linker.inference.predict_between(
        new_frame, old_frame, threshold_match_probability=run.review_threshold)))
    pairs += _scored(_rows(linker.inference.predict_within(
        new_frame, threshold_match_probability=run.review_threshold)))
    # The clusters in play: the new records, and every record of each person they touch
    # or already belong to (so a changed record's person keeps all its records).
    rescored = new.column("unique_id").to_pylist()
    touched = {p.left for p in pairs} | {p.right for p in pairs} | set(rescored)
    people: set[int] = set()
    for ids in chunks(touched):
        people.update(SourceRecord.objects.filter(pk__in=ids, person__isnull=False)
                      .values_list("person_id", flat=True))
    members: list[tuple[int, int]] = []
    for ids in chunks(people):
        members += SourceRecord.objects.filter(person_id__in=ids, retired_at__isnull=True
                                               ).values_list("pk", "person_id")
    in_play = [*rescored, *(pk for pk, _ in members)]
    clusters = Clusters(in_play, known_of(everything, in_play))
    # "Different" walls first, so a person holding both records of such a pair is split.
    decisions = _decisions_in(clusters)
    _keep_apart(clusters, decisions)
    first_of: dict[int, int] = {}
    for pk, person in members:  # the index as it stands holds these together
        clusters.join(first_of.setdefault(person, pk), pk, checked=False)
    _finish(run, pairs, clusters, progress, replace_pairs=False, rescored=rescored,
            decisions=decisions)
    refresh_people(lost_records)


def _decisions_in(clusters: Clusters) -> list[tuple[int, int, str]]:
    """The review decisions on pairs of records in `clusters`. Decisions are few (people
    make them): read them all rather than filter by a million record ids."""
    return [(left, right, verdict) for left, right, verdict in
            ReviewDecision.objects.values_list("left_id", "right_id", "verdict")
            if left in clusters.parent and right in clusters.parent]


def _keep_apart(clusters: Clusters, decisions: list[tuple[int, int, str]]) -> None:
    for left, right, verdict in decisions:
        if verdict == ReviewDecision.Verdict.DIFFERENT:
            clusters.keep_apart(left, right)


def _linked_as_they_stand(read: Container[int]) -> None:
    """Clear `needs_linking` on the records this run read, and only those: a record added
    while the run works keeps its flag for the next run (and `do_link` holds imports off
    on PostgreSQL, so no record read can change meanwhile)."""
    flagged = SourceRecord.objects.filter(needs_linking=True).values_list("pk", flat=True)
    bulk_set(SourceRecord, ["needs_linking"],
             [(pk, False) for pk in flagged.iterator(chunk_size=10_000) if pk in read])


def _people_with_records_retired_since_the_last_run() -> set[int]:
    """Persons whose golden record may rest on a record a newer extract no longer holds."""
    last = LinkageRun.objects.filter(finished_at__isnull=False).first()
    retired = SourceRecord.objects.filter(retired_at__isnull=False, person__isnull=False)
    if last is not None:
        retired = retired.filter(retired_at__gte=last.started_at)
    return set(retired.values_list("person_id", flat=True))


def band_pairs(pairs: list[ScoredPair], clusters: Clusters,
               decided: dict[tuple[int, int], str], link_threshold: float
               ) -> list[tuple[ScoredPair, str]]:
    """Each pair's band, joining `clusters` as pairs link.

    Strongest first; ties in record order, so that a rerun on the same records makes the
    same clusters (which pair of a tie joins first matters to the coherence check).
    """
    banded = []
    for pair in sorted(pairs, key=lambda p: (-p.probability, p.left, p.right)):
        verdict = decided.get((pair.left, pair.right))
        if verdict == ReviewDecision.Verdict.SAME:
            band = RecordPair.Band.LINK
        elif verdict == ReviewDecision.Verdict.DIFFERENT:
            band = RecordPair.Band.REVIEW  # decided: kept, but out of the queue
        elif pair.probability >= link_threshold and clusters.join(pair.left, pair.right):
            band = RecordPair.Band.LINK
        else:
            band = RecordPair.Band.REVIEW
        banded.append((pair, band))
    return banded


def _finish(run: LinkageRun, pairs: list[ScoredPair], clusters: Clusters, progress: Progress,
            *, replace_pairs: bool, rescored: Iterable[int] = (),
            decisions: list[tuple[int, int, str]] | None = None) -> None:
    """Band and cluster `pairs`, assign persons and save the pairs. A full run replaces
    every stored pair; an incremental one replaces those of the records it `rescored`
    (their old scores, bands and explanations no longer hold)."""
    progress("clustering under the review decisions")
    run.pairs_scored = len(pairs)
    if decisions is None:
        decisions = _decisions_in(clusters)
    decided = {(left, right): verdict for left, right, verdict in decisions}
    _keep_apart(clusters, decisions)  # again after an incremental run's: walls are idempotent
    for left, right, verdict in decisions:
        if verdict == ReviewDecision.Verdict.SAME:
            clusters.join(left, right, checked=False)
    banded = band_pairs(pairs, clusters, decided, run.link_threshold)
    run.links = sum(band == RecordPair.Band.LINK for _, band in banded)
    run.for_review = sum(1 for pair, band in banded if band == RecordPair.Band.REVIEW
                         and (pair.left, pair.right) not in decided)
    progress("assigning persons")
    outcome = assign_people(clusters.members(), run, {})
    run.persons_created, run.merges, run.splits = (outcome.created, outcome.merges,
                                                   outcome.splits)
    _linked_as_they_stand(clusters.parent)
    progress("saving scored pairs and their explanations")
    if replace_pairs:
        RecordPair.objects.all().delete()
    for ids in chunks(rescored):
        RecordPair.objects.filter(Q(left_id__in=ids) | Q(right_id__in=ids)).delete()
    bulk_insert(RecordPair, ["left", "right", "match_probability", "match_weight", "band",
                             "explanation", "run"],
                ((p.left, p.right, p.probability, p.weight, band, p.explanation, run.pk)
                 for p, band in banded), ignore_conflicts=not replace_pairs)
