"""CSV files OneStop writes: no cell a spreadsheet would run as a formula, numbers kept."""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest

import onestop
from onestop.core.csvfiles import safe_cell, safe_writer


@pytest.mark.parametrize("text", [
    '=HYPERLINK("http://evil.example","Click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
    "\t=1+1", "\r=1+1", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\ufe661+1",
    "   =1+1", "-3", "+44 7700 900123"])
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Archer", "12 High Street", "IP14 1AB", "O'Brien",
                                  "a=b", "Smith-Jones", "", "'=already text"])
def test_ordinary_text_is_written_as_it_is(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("number", [-3, 0, 42, -2.5, Decimal("-10.50")])
def test_numbers_stay_numbers(number):
    assert safe_cell(number) is number


def test_none_booleans_and_dates_are_written_as_csv_would():
    assert safe_cell(None) is None
    assert safe_cell(True) == "True"
    assert safe_cell(dt.date(2017, 10, 12)) == "2017-10-12"


def test_the_writer_neutralises_every_cell_of_every_row_and_reads_back_as_text():
    out = StringIO()
    writer = safe_writer(out)
    writer.writerow(["=id", "name", "amount"])
    writer.writerows([[1, "=1+1", -3], [2, "\uff20x", Decimal("4.5")], [3, "Ann", None]])
    assert list(csv.reader(StringIO(out.getvalue()))) == [
        ["'=id", "name", "amount"], ["1", "'=1+1", "-3"], ["2", "'\uff20x", "4.5"],
        ["3", "Ann", ""]]


# Writers of files that are not for people to open: the demo's synthetic back-office
# extracts and their ground truth (inputs our import reads back, written as a council's
# system would), and a quarantined row kept exactly as it came.
NOT_FOR_SPREADSHEETS = {"core/csvfiles.py", "demo/extracts/base.py", "demo/extracts/__init__.py",
                        "matching/importing.py"}
RAW_WRITER = re.compile(r"\bcsv\.(writer|DictWriter)\(")


def test_every_csv_file_written_for_people_goes_through_the_safe_writer():
    package = Path(onestop.__file__).parent
    raw = sorted(str(path.relative_to(package)) for path in package.rglob("*.py")
                 if RAW_WRITER.search(path.read_text(encoding="utf-8")))
    assert raw and set(raw) <= NOT_FOR_SPREADSHEETS, (
        f"{sorted(set(raw) - NOT_FOR_SPREADSHEETS)} write CSV with the csv module: use "
        "onestop.core.csvfiles.safe_writer")
