"""CSV files OneStop writes for people to open: no cell runs as a spreadsheet formula.

Names, addresses, reasons and labels come from extracts, self-service forms and service
owners, so anyone could have typed `=HYPERLINK("http://evil.example", "Click")` into one.
A spreadsheet opening the file runs a cell that begins with a formula character; every
text cell that does is written with a leading apostrophe instead, which spreadsheets show
as text (OWASP's advice for CSV injection). Every CSV file `src/` writes for people goes
through `safe_writer`.

Numbers stay numbers: an int, float or Decimal is written as it is, so a column of
amounts or ids still sums and sorts (`-3` cannot run as anything). Text is always text:
"-3" given as a string is checked like any other string, and a phone number "+44 ..."
comes out as "'+44 ...", which also stops a spreadsheet turning it into 4.4E+11.
Why our own and not `defusedcsv`: docs/adr/0011-our-own-spreadsheet-safe-csv-writer.md.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

# What a spreadsheet (Excel, LibreOffice, Google Sheets) reads as the start of a formula
# or of a DDE call: the ASCII characters, and the full-width and small forms of = + - @
# that East Asian input methods type and some spreadsheets accept in their place.
FORMULA_START = frozenset("=+-@\t\r" "\uff1d\uff0b\uff0d\uff20" "\ufe66\ufe62\ufe63\ufe6b")
NUMBERS = (int, float, Decimal)


def safe_cell(value: Any) -> Any:
    """The value as it should go in a CSV cell: a would-be formula becomes text.

    A text whose first character, or first after leading spaces (some spreadsheets skip
    them), starts a formula gets a leading apostrophe. Numbers (not booleans) and None pass
    through; anything else is written as its text and checked.
    """
    if value is None or (isinstance(value, NUMBERS) and not isinstance(value, bool)):
        return value
    text = value if isinstance(value, str) else str(value)
    if text[:1] in FORMULA_START or text.lstrip()[:1] in FORMULA_START:
        return "'" + text
    return text


class SafeWriter:
    """`csv.writer`'s writerow and writerows, every cell through `safe_cell`."""

    def __init__(self, handle, **fmtparams) -> None:
        self._writer = csv.writer(handle, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(handle, **fmtparams) -> SafeWriter:
    """A CSV writer for a file people will open in a spreadsheet (`csv.writer`'s options)."""
    return SafeWriter(handle, **fmtparams)
