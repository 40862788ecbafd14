"""Every write of the master index: imports, linkage runs and review decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from onestop.matching.holders import UnknownHolder, assign_holders, holder_ids
from onestop.matching.importing import (
    BATCH_SIZE,
    BatchWriter,
    ExtractError,
    TooManyRetired,
    file_sha256,
    read_rows,
)
from onestop.matching.linkage.golden import refresh_people
from onestop.matching.linkage.persons import merge_person_into
from onestop.matching.linkage.run import LinkageError, run_full, run_incremental
from onestop.matching.models import (
    ExtractImport,
    LinkageRun,
    PersonChange,
    ReviewDecision,
    SourceRecord,
)
from onestop.matching.profiles import SourceProfile
from onestop.matching.rows import RowProblem, parse_row
from onestop.staff.models import Role

__all__ = ["ExtractError", "LinkageError", "ReviewError", "TooManyRetired", "do_decide_pair",
           "do_import_extract", "do_link"]


def do_import_extract(profile: SourceProfile, path: Path, *,
                      on_progress: Callable[[int], None] = lambda _: None,
                      today: dt.date | None = None, max_retire_percent: int | None = None,
                      allow_retire: bool = False) -> ExtractImport:
    """Bring the source's records in line with the extract at `path`.

    New rows are imported, changed rows updated, identical rows left alone, and records
    missing from the file retired. Rows that fail validation are quarantined with their
    reason; the rest go in. A file-level problem (missing columns, wrong encoding, not
    this system's extract, a quote left open) raises ExtractError and writes nothing at
    all; so does a file that would retire more of the source's active records than
    `max_retire_percent` (default IMPORT_MAX_RETIRE_PERCENT; see `retirable`) allows,
    unless `allow_retire`: a file cut short must not retire everyone after the cut. That
    check comes last, once every row is known, and undoes the whole import with the
    transaction, so no record, import or quarantined row is left (on PostgreSQL the
    rolled-back rows' ids are skipped, which nothing relies on).
    """
    path = Path(path)
    if not path.is_file():
        raise ExtractError(f"{path}: no such file")
    today = today or timezone.localdate()
    if max_retire_percent is None:
        max_retire_percent = settings.IMPORT_MAX_RETIRE_PERCENT
    if not 0 <= max_retire_percent <= 100:
        raise ValueError(f"max_retire_percent must be 0 to 100, got {max_retire_percent}")
    try:
        holders = holder_ids(profile)
    except UnknownHolder as error:
        raise ExtractError(str(error)) from None
    with transaction.atomic():
        active_before = SourceRecord.objects.filter(source=profile.name,
                                                    retired_at__isnull=True).count()
        extract_import = ExtractImport.objects.create(
            source=profile.name, file_name=path.name, file_sha256=file_sha256(path))
        writer = BatchWriter(extract_import, profile)
        batch, bad = [], []
        for row in read_rows(profile, path, on_progress):
            extract_import.read += 1
            try:
                if row.problem:
                    raise row.problem
                batch.append((row, parse_row(profile, row.values, today=today)))
            except RowProblem as problem:
                bad.append((row, problem))
            if len(batch) >= BATCH_SIZE:
                bad += writer.write(batch)
                batch = []
            if len(bad) >= BATCH_SIZE:
                writer.quarantine(bad)
                bad = []
        bad += writer.write(batch)
        writer.quarantine(bad)
        writer.retire_vanished(path, active_before=active_before,
                               max_percent=None if allow_retire else max_retire_percent)
        assign_holders(extract_import, holders)
        extract_import.finished_at = timezone.now()
        extract_import.save()
    return extract_import


LINK_THRESHOLD = 0.9
REVIEW_THRESHOLD = 0.5


def do_link(*, full: bool, progress=lambda _stage: None,
            link_threshold: float = LINK_THRESHOLD,
            review_threshold: float = REVIEW_THRESHOLD) -> LinkageRun:
    """Link source records into persons; one transaction, so a failed run changes nothing.

    Pairs at or above `link_threshold` link; those from `review_threshold` up go to
    clerical review; the rest are not kept. Review decisions are obeyed in both modes.
    """
    if not 0 < review_threshold <= link_threshold < 1:
        raise ValueError("thresholds must satisfy 0 < review <= link < 1, got "
                         f"review={review_threshold} and link={link_threshold}")
    with transaction.atomic():
        _hold_imports_until_done()
        run = LinkageRun.objects.create(
            mode=LinkageRun.Mode.FULL if full else LinkageRun.Mode.INCREMENTAL,
            link_threshold=link_threshold, review_threshold=review_threshold)
        (run_full if full else run_incremental)(run, progress)
        run.finished_at = timezone.now()
        run.save()
    return run


def _hold_imports_until_done() -> None:
    """On PostgreSQL, make imports (and other runs) wait for this run's commit.

    A run reads the records, then writes persons and clears their `needs_linking` flags
    minutes later; an import committed in between would have its changes marked as linked
    without being scored. Reads (advisers' pages) are not blocked. SQLite has one writer
    at a time already.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {SourceRecord._meta.db_table} "
                           "IN SHARE ROW EXCLUSIVE MODE")


class ReviewError(ValueError):
    """A review decision that cannot be recorded; the message says why."""


def do_decide_pair(*, left_id: int, right_id: int, verdict: str, user, note: str = ""
                   ) -> ReviewDecision:
    """Record (or change) a team leader's verdict on two source records.

    The verdict binds every later linkage run. "Same" joins the two records' persons now,
    as a recorded merge; "different" takes effect at the next run, which keeps them apart
    whatever else links them (a person already holding both is split there).
    """
    if verdict not in ReviewDecision.Verdict.values:
        raise ReviewError(f"verdict {verdict!r} is not one of "
                          f"{', '.join(ReviewDecision.Verdict.values)}")
    if not user.has_role(Role.TEAM_LEADER) and not user.has_role(Role.ADMINISTRATOR):
        raise ReviewError("only a team leader or administrator may decide identity matches")
    left_id, right_id = sorted((int(left_id), int(right_id)))
    if left_id == right_id:
        raise ReviewError("a record cannot be compared with itself")
    with transaction.atomic():
        records = {r.pk: r for r in SourceRecord.objects.select_for_update().filter(
            pk__in=(left_id, right_id))}
        if len(records) != 2:
            raise ReviewError(f"source records {left_id} and {right_id} do not both exist")
        decision, _ = ReviewDecision.objects.update_or_create(
            left_id=left_id, right_id=right_id,
            defaults={"verdict": verdict, "decided_by": user, "note": note,
                      "decided_at": timezone.now()})
        left, right = records[left_id], records[right_id]
        if verdict == ReviewDecision.Verdict.DIFFERENT:
            # The next run, incremental too, rescores both and splits a person holding both.
            SourceRecord.objects.filter(pk__in=records).update(needs_linking=True)
        if (verdict == ReviewDecision.Verdict.SAME and left.person_id and right.person_id
                and left.person_id != right.person_id):
            survivor, absorbed = sorted((left.person_id, right.person_id))
            moved = SourceRecord.objects.filter(person_id=absorbed).update(person_id=survivor)
            merge_person_into(absorbed, survivor)
            PersonChange.objects.create(
                kind=PersonChange.Kind.MERGED, person_id=survivor, other_person_id=absorbed,
                records=moved, reason=f"{user.get_username()} decided records {left} and "
                                      f"{right} are the same person")
            refresh_people([survivor])
    return decision
