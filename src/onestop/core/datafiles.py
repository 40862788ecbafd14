"""Reading data files (reference data, back-office extracts) with errors that say where.

A council officer who hands us a bad file must be told which file, which row and which
field is wrong, in one message; loaders raise `DataFileError` and load nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class DataFileError(Exception):
    """A data file is missing or one of its rows is malformed."""

    def __init__(self, path: Path | str, problem: str, *, row: int | None = None,
                 line: int | None = None, field: str | None = None) -> None:
        self.path, self.problem, self.row, self.line, self.field = (
            Path(path), problem, row, line, field)
        where = [str(path)]
        if row is not None:
            where.append(f"row {row}" + (f" (line {line})" if line is not None else ""))
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {problem}")


@dataclass(frozen=True)
class Row:
    """One data row: its number (1 = first after the header), line, and values by column."""

    path: Path
    number: int
    line: int
    values: dict[str, str]

    def error(self, field: str | None, problem: str) -> DataFileError:
        return DataFileError(self.path, problem, row=self.number, line=self.line, field=field)

    def text(self, field: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = (self.values.get(field) or "").strip()
        if required and not value:
            raise self.error(field, "is empty")
        if max_length is not None and len(value) > max_length:
            raise self.error(field, f"is {len(value)} characters long; at most {max_length}")
        return value

    def integer(self, field: str, *, required: bool = True) -> int | None:
        value = self.text(field, required=required)
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            raise self.error(field, f"{value!r} is not a whole number") from None

    def choice(self, field: str, choices: dict[str, object] | tuple[str, ...]) -> object:
        value = self.text(field)
        if value not in choices:
            allowed = ", ".join(sorted(str(choice) for choice in choices))
            raise self.error(field, f"{value!r} is not one of: {allowed}")
        return choices[value] if isinstance(choices, dict) else value


def read_csv(path: Path, required_columns: tuple[str, ...]) -> Iterator[Row]:
    """Yield the rows of a CSV file that has at least `required_columns` in its header.

    Rows with more fields than the header are accepted (some published files carry a
    trailing comma); rows with fewer are an error.
    """
    if not path.is_file():
        raise DataFileError(path, "file not found")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise DataFileError(path, "file is empty; expected a header row") from None
        except (csv.Error, UnicodeDecodeError) as error:
            raise DataFileError(path, f"header cannot be read: {error}", row=0, line=1) from None
        header = [column.strip() for column in header]
        missing = [column for column in required_columns if column not in header]
        if missing:
            raise DataFileError(path, f"missing column(s) {', '.join(missing)} in the header",
                                line=1)
        number = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as error:
                raise DataFileError(path, f"cannot be read: {error}", row=number + 1,
                                    line=reader.line_num) from None
            number += 1
            if not any(field.strip() for field in fields):
                continue
            named = [column for column in header if column]
            if len(fields) < len(named):
                raise DataFileError(
                    path, f"has {len(fields)} fields; the header names {len(named)}",
                    row=number, line=reader.line_num)
            yield Row(path, number, reader.line_num, dict(zip(header, fields, strict=False)))
