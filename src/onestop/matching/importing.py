"""Streaming an extract file through its profile, in batches, into source records.

The file is read row by row (a million rows never sit in memory at once) and written in
batches of BATCH_SIZE; everything happens inside the caller's transaction, so a file-level
failure — wrong encoding half-way through, say — leaves nothing behind.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from onestop.matching.models import ExtractImport, QuarantinedRow, SourceRecord
from onestop.matching.profiles import SourceProfile
from onestop.matching.register import PropertyRegister
from onestop.matching.rows import RECORD_FIELDS, ParsedRow, RowProblem

BATCH_SIZE = 2000
# A file whose header shares fewer columns than this with the profile is another system's.
LOOKS_LIKE_SHARE = 0.5


class ExtractError(ValueError):
    """The file as a whole cannot be imported; nothing was written. The message says why."""


class TooManyRetired(ExtractError):
    """The file would retire more of its source than one import may: likely cut short."""

    def __init__(self, path: Path, source: str, *, retiring: int, active: int,
                 max_percent: int, rows: int, quarantined: int) -> None:
        self.retiring, self.active, self.max_percent = retiring, active, max_percent
        empty = "the file has a header and no rows, so " if rows == 0 else ""
        # A quarantined row does not count as seen, so a change of format that makes many
        # rows fail would retire their records too: say so, it is the other likely cause.
        bad = (f" and that its rows are right ({quarantined:,} would be quarantined, and the "
               "record of a quarantined row counts as missing)" if quarantined else "")
        super().__init__(
            f"{path}: {empty}this file would retire {retiring:,} of {active:,} {source} "
            f"records ({_percent(retiring, active)} %), more than the {max_percent} % "
            f"allowed; check the file is complete{bad}")


def _percent(part: int, whole: int) -> str:
    # Tenths, rounded up: 250 of 2,490 reads 10.1 %, never "10 %, more than the 10 %".
    tenths = -(-1000 * part // whole) if whole else 1000
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def retirable(active: int, max_percent: int) -> int:
    """How many of a source's `active` records one import may retire.

    `max_percent` of them, rounded down, but at least one while more than one is active:
    a source of a dozen records may still lose a resident in a routine import, and a file
    can never empty a source unless 100 % is allowed.
    """
    allowed = active * max_percent // 100
    return max(allowed, 1) if max_percent and active > 1 else allowed


@dataclass(frozen=True)
class SourceRow:
    number: int  # 1 = the first row after the header
    line: int
    values: dict[str, str]
    fields: list[str]
    problem: RowProblem | None = None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _encoding(profile: SourceProfile) -> str:
    # Spreadsheet exports often begin UTF-8 files with a byte-order mark.
    return "utf-8-sig" if profile.encoding.lower().replace("_", "-") == "utf-8" \
        else profile.encoding


def read_rows(profile: SourceProfile, path: Path,
              on_progress: Callable[[int], None] = lambda _: None) -> Iterator[SourceRow]:
    """The file's rows, checked against the profile's columns before the first is given.

    Raises ExtractError for a missing file, undecodable text, a header that does not fit
    the profile, or a quoted value whose closing quote is missing (naming the line where it
    opens). Rows with the wrong number of fields come with their problem set.
    """
    if not path.is_file():
        raise ExtractError(f"{path}: no such file")
    handle = path.open("rb")
    try:
        lines = _RecordLines(_decoded_lines(handle, path, profile, on_progress))
        # Strict: an unclosed quote is an error, not a value that swallows the rest of the
        # file (whose rows would then look vanished and be retired).
        reader = csv.reader(lines, delimiter=profile.delimiter, strict=True)
        header = _next_record(reader, lines, path, profile)
        if not header:
            raise ExtractError(f"{path}: the file is empty; a {profile.name} extract starts "
                               "with a header row")
        header = check_header(path, profile, header)
        number = 0
        while (fields := _next_record(reader, lines, path, profile)) is not None:
            if not any(field.strip() for field in fields):
                continue  # blank lines carry nothing
            number += 1
            values = dict(zip(header, fields, strict=False))
            problem = None
            if len(fields) != len(header):
                problem = RowProblem("", f"the row has {len(fields)} fields; the header has "
                                         f"{len(header)}")
            yield SourceRow(number, reader.line_num, values, fields, problem)
    finally:
        handle.close()


class _RecordLines:
    """The file's lines, keeping those of the record being read to explain a CSV error."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines, self.held = lines, []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.held.append(line)
        return line


def _next_record(reader, lines: _RecordLines, path: Path,
                 profile: SourceProfile) -> list[str] | None:
    """The next record's fields, or None at the end of the file."""
    first_line = reader.line_num + 1
    lines.held.clear()
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as error:
        opened = _unclosed_quote(lines.held, profile.delimiter)
        if opened is None:
            raise ExtractError(f"{path}: line {reader.line_num}: not readable as CSV: "
                               f"{error}") from None
        raise ExtractError(
            f"{path}: line {first_line + opened}: a quoted value opens on this line and its "
            f"closing quote is missing (reading stopped at line {reader.line_num}: {error}); "
            "correct the quotes and import the whole file again") from None


def _unclosed_quote(lines: list[str], delimiter: str) -> int | None:
    """Which of a record's lines opens its last quoted value (0 = the first), if any.

    The strict reader fails either at the end of the file inside a quoted value or at a
    quote that is followed by neither a delimiter nor the end of a line: in both cases the
    value at fault is the last one opened with a quote.
    """
    opened, in_quotes, field_start = None, False, True
    for number, line in enumerate(lines):
        index = 0
        while index < len(line):
            char = line[index]
            if in_quotes:
                if char == '"' and line[index + 1:index + 2] == '"':
                    index += 1  # a doubled quote stands for one quote inside the value
                elif char == '"':
                    in_quotes = False
            elif field_start and char == '"':
                in_quotes, opened = True, number
            field_start = not in_quotes and char in (delimiter, "\r", "\n")
            index += 1
    return opened


def _decoded_lines(handle, path: Path, profile: SourceProfile,
                   on_progress: Callable[[int], None]) -> Iterator[str]:
    """Each line decoded on its own, so a bad byte is reported with its line number.

    Profiles only allow encodings in which a newline is the byte 0x0A (see profiles.py),
    so splitting the bytes on newlines first is safe.
    """
    encoding = _encoding(profile)
    for number, raw in enumerate(handle, start=1):
        on_progress(len(raw))
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError as error:
            raise ExtractError(
                f"{path}: line {number} is not valid {profile.encoding} text (byte "
                f"{raw[error.start]:#04x}); the {profile.name} profile expects "
                f"{profile.encoding}: re-export the file as {profile.encoding} or set "
                "'encoding' in the profile") from None


def check_header(path: Path, profile: SourceProfile, header: list[str]) -> list[str]:
    """The header's column names, stripped, once the file is known to be this extract.

    Every check is one pass over the header (a set, a counter), so a file of 20,000
    columns costs ten times one of 2,000, not a hundred.
    """
    header = [column.strip() for column in header]
    counts = Counter(header)
    duplicates = sorted(column for column, count in counts.items() if count > 1)
    if duplicates:
        shown = ", ".join(duplicates[:8]) + (f" and {len(duplicates) - 8} more"
                                             if len(duplicates) > 8 else "")
        raise ExtractError(f"{path}: the header repeats column(s) {shown}")
    wanted = profile.required_columns()
    missing = [column for column in wanted if column not in counts]
    if not missing:
        return header
    if len(missing) > len(wanted) * (1 - LOOKS_LIKE_SHARE):
        raise ExtractError(
            f"{path}: this does not look like a {profile.name} extract: {len(missing)} of "
            f"the profile's {len(wanted)} columns are missing (the file's header is: "
            f"{', '.join(header[:8])}{', ...' if len(header) > 8 else ''})")
    raise ExtractError(f"{path}: missing column(s) the {profile.name} profile needs: "
                       f"{', '.join(missing)}")


class BatchWriter:
    """Applies parsed rows to the source records of one import, a batch at a time."""

    def __init__(self, extract_import: ExtractImport, profile: SourceProfile) -> None:
        self.extract_import, self.profile = extract_import, profile
        self.register = PropertyRegister()
        self.now = timezone.now()

    def quarantine(self, rows: list[tuple[SourceRow, RowProblem]]) -> None:
        QuarantinedRow.objects.bulk_create([
            QuarantinedRow(extract_import=self.extract_import, row_number=row.number,
                           line_number=row.line, field=problem.field[:80],
                           reason=problem.reason, raw=_as_csv_line(row.fields))
            for row, problem in rows])
        self.extract_import.quarantined += len(rows)

    def write(self, batch: list[tuple[SourceRow, ParsedRow]]) -> list[tuple[SourceRow,
                                                                          RowProblem]]:
        """Create, update or touch each row's record; returns rows repeated in the file."""
        imp = self.extract_import
        existing = {record.reference: record for record in SourceRecord.objects.filter(
            source=self.profile.name, reference__in=[parsed.reference for _, parsed in batch])}
        self._find_uprns([parsed for _, parsed in batch])
        new, changed, unchanged_ids, repeats = [], [], [], []
        seen: set[str] = set()
        for row, parsed in batch:
            record = existing.get(parsed.reference)
            if parsed.reference in seen or (record is not None and record.last_seen_id == imp.pk):
                repeats.append((row, RowProblem(self.profile.reference, (
                    f"reference {parsed.reference!r} appears more than once in the file"))))
                continue
            seen.add(parsed.reference)
            if record is None:
                new.append(SourceRecord(source=self.profile.name, reference=parsed.reference,
                                        first_seen=imp, last_seen=imp,
                                        **parsed.record_fields()))
            elif record.row_hash != parsed.row_hash or record.retired_at is not None:
                for name, value in parsed.record_fields().items():
                    setattr(record, name, value)
                record.last_seen, record.retired_at = imp, None
                record.needs_linking = True
                changed.append(record)
            else:
                unchanged_ids.append(record.pk)
        SourceRecord.objects.bulk_create(new, batch_size=BATCH_SIZE)
        SourceRecord.objects.bulk_update(
            changed, [*RECORD_FIELDS, "last_seen", "retired_at", "needs_linking"],
            batch_size=500)
        SourceRecord.objects.filter(pk__in=unchanged_ids).update(last_seen=imp)
        imp.imported += len(new)
        imp.updated += len(changed)
        imp.unchanged += len(unchanged_ids)
        self.register.forget()
        return repeats

    def _find_uprns(self, rows: list[ParsedRow]) -> None:
        missing = [parsed for parsed in rows if parsed.uprn is None and parsed.postcode]
        self.register.load(parsed.postcode for parsed in missing)
        for parsed in missing:
            parsed.uprn = self.register.uprn_for(parsed.postcode, parsed.address)

    def retire_vanished(self, path: Path, *, active_before: int,
                        max_percent: int | None) -> None:
        """Records of this source that the file no longer holds are retired, not deleted.

        Raises TooManyRetired when they are more than `max_percent` of the `active_before`
        records allow (see `retirable`); None allows any number.
        """
        imp = self.extract_import
        vanished = (SourceRecord.objects.filter(source=self.profile.name,
                                                retired_at__isnull=True)
                    .exclude(last_seen=imp))
        if max_percent is not None:
            retiring = vanished.count()
            if retiring > retirable(active_before, max_percent):
                raise TooManyRetired(path, self.profile.name, retiring=retiring,
                                     active=active_before, max_percent=max_percent,
                                     rows=imp.read, quarantined=imp.quarantined)
        imp.retired = vanished.update(retired_at=self.now)


def _as_csv_line(fields: list[str]) -> str:
    """The quarantined row as the system sent it, for whoever corrects it at the source.

    Kept exactly (no apostrophes): it is evidence of what came in, stored in the database,
    not a file for a spreadsheet.
    """
    out = io.StringIO()
    csv.writer(out).writerow(fields)
    return out.getvalue().rstrip("\r\n")
