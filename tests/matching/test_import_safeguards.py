"""A truncated or broken extract never retires a source: it is refused and nothing changes."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from onestop.matching.actions import ExtractError, TooManyRetired, do_import_extract
from onestop.matching.importing import check_header, retirable
from onestop.matching.models import ExtractImport, QuarantinedRow, SourceRecord
from onestop.matching.profiles import load_profile
from tests.matching.test_import_extract import COUNCIL_TAX_HEADER, HEADER, TODAY

pytestmark = pytest.mark.django_db

SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts",
            "Walker", "Wright", "Green", "Hall", "Wood", "Clarke", "Hughes", "Lewis",
            "Harris", "Martin", "Jackson", "Baker"]


def claim(number: int) -> str:
    return (f"BEN{number:07d},Anne,{SURNAMES[number % len(SURNAMES)]},,1960-01-"
            f"{number % 28 + 1:02d},{number} High Street,,Stowmarket,IP14 1AB,pip,2020-01-01")


def write(path, rows):
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def import_file(path, **options):
    return do_import_extract(load_profile("benefits"), path, today=TODAY, **options)


def state() -> tuple:
    """Everything an import writes, to show a refused one wrote none of it."""
    return (SourceRecord.objects.count(), ExtractImport.objects.count(),
            QuarantinedRow.objects.count(),
            SourceRecord.objects.filter(retired_at__isnull=True).count(),
            sorted(SourceRecord.objects.values_list("reference", "last_seen_id", "row_hash")))


@pytest.fixture
def twenty_claims(tmp_path):
    """A benefits source of 20 active records, as a first import leaves it."""
    done = import_file(write(tmp_path / "benefits.csv", [claim(n) for n in range(1, 21)]))
    assert (done.imported, done.retired) == (20, 0)
    return [claim(n) for n in range(1, 21)]


def test_a_header_only_file_is_refused_with_the_numbers_and_nothing_changes(twenty_claims,
                                                                             tmp_path):
    before = state()
    with pytest.raises(TooManyRetired) as refused:
        import_file(write(tmp_path / "benefits-empty.csv", []))
    assert str(refused.value) == (
        f"{tmp_path / 'benefits-empty.csv'}: the file has a header and no rows, so this file "
        "would retire 20 of 20 benefits records (100 %), more than the 10 % allowed; check "
        "the file is complete")
    assert state() == before


def test_a_file_missing_half_its_rows_is_refused_and_its_bad_rows_are_not_quarantined(
        twenty_claims, tmp_path):
    before = state()
    half = [*twenty_claims[:10], "BEN0000099,Bad,Date,,1961-31-02,1 Lane,,Stowmarket,"
                                 "IP14 1AB,pip,2020-01-01"]
    with pytest.raises(TooManyRetired) as refused:
        import_file(write(tmp_path / "benefits-half.csv", half))
    assert str(refused.value).endswith(
        "this file would retire 10 of 20 benefits records (50 %), more than the 10 % "
        "allowed; check the file is complete and that its rows are right (1 would be "
        "quarantined, and the record of a quarantined row counts as missing)")
    assert state() == before


def test_a_file_retiring_no_more_than_the_share_allowed_is_imported(twenty_claims, tmp_path):
    done = import_file(write(tmp_path / "benefits-2.csv", twenty_claims[2:]))
    assert (done.unchanged, done.retired) == (18, 2)
    assert SourceRecord.objects.filter(retired_at__isnull=True).count() == 18


def test_one_more_than_the_share_is_refused_and_a_higher_share_lets_it_through(twenty_claims,
                                                                              tmp_path):
    path = write(tmp_path / "benefits-2.csv", twenty_claims[3:])
    with pytest.raises(TooManyRetired, match=r"retire 3 of 20 benefits records \(15 %\)"):
        import_file(path)
    assert import_file(path, max_retire_percent=15).retired == 3


def test_allow_retire_lets_a_genuine_large_change_through(twenty_claims, tmp_path):
    done = import_file(write(tmp_path / "benefits-2.csv", twenty_claims[:5]), allow_retire=True)
    assert (done.unchanged, done.retired) == (5, 15)


def test_the_share_allowed_comes_from_the_setting(twenty_claims, tmp_path, settings):
    settings.IMPORT_MAX_RETIRE_PERCENT = 50
    assert import_file(write(tmp_path / "benefits-2.csv", twenty_claims[10:])).retired == 10


def test_the_first_import_of_a_source_has_nothing_to_retire(tmp_path):
    SourceRecord.objects.all().delete()
    assert import_file(write(tmp_path / "benefits.csv", [])).read == 0
    assert import_file(write(tmp_path / "benefits.csv", [claim(1), claim(2)])).imported == 2


def test_a_small_source_may_lose_one_record_but_never_its_last(tmp_path):
    import_file(write(tmp_path / "benefits.csv", [claim(n) for n in range(1, 6)]))
    # 1 of 5 is 20 %: a routine change in a small source, allowed without the flag.
    assert import_file(write(tmp_path / "benefits.csv", [claim(n) for n in range(1, 5)])
                       ).retired == 1
    with pytest.raises(TooManyRetired, match=r"retire 2 of 4 benefits records \(50 %\)"):
        import_file(write(tmp_path / "benefits.csv", [claim(1), claim(2)]))
    import_file(write(tmp_path / "benefits.csv", [claim(1)]), allow_retire=True)
    with pytest.raises(TooManyRetired, match=r"retire 1 of 1 benefits records \(100 %\)"):
        import_file(write(tmp_path / "benefits.csv", []))


@pytest.mark.parametrize(("active", "percent", "allowed"), [
    (0, 10, 0), (1, 10, 0), (1, 100, 1), (2, 10, 1), (5, 10, 1), (19, 10, 1), (20, 10, 2),
    (2232, 10, 223), (2232, 0, 0), (5, 0, 0)])
def test_how_many_records_one_import_may_retire(active, percent, allowed):
    assert retirable(active, percent) == allowed


def test_the_command_refuses_a_header_only_council_tax_file_naming_the_numbers(tmp_path):
    rows = [f'31000000{n:02d},MID SUFFOLK DC,"{SURNAMES[n % 20].upper()}, Ann",,,{n} High St,,'
            'Stowmarket,IP14 1AA,B,01/01/2001,N,N,,' for n in range(1, 21)]
    path = tmp_path / "council_tax.csv"
    path.write_text("\n".join([COUNCIL_TAX_HEADER, *rows]) + "\n", encoding="utf-8")
    call_command("import_extract", "--source", "council_tax", str(path), "--quiet",
                 stdout=StringIO())
    before = state()
    path.write_text(COUNCIL_TAX_HEADER + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_extract", "--source", "council_tax", str(path), "--quiet")
    assert str(refused.value) == (
        f"{path}: the file has a header and no rows, so this file would retire 20 of 20 "
        "council_tax records (100 %), more than the 10 % allowed; check the file is "
        "complete, or pass --allow-retire if the source really did lose them.\n"
        "Nothing was imported.")
    assert state() == before
    with pytest.raises(CommandError, match=r"retire 20 of 20 .* more than the 50 % allowed"):
        call_command("import_extract", "--source", "council_tax", str(path), "--quiet",
                     "--max-retire", "50")
    out = StringIO()
    call_command("import_extract", "--source", "council_tax", str(path), "--quiet",
                 "--allow-retire", stdout=out)
    assert out.getvalue().startswith("council_tax from council_tax.csv: 0 read, 0 imported, "
                                     "0 updated, 0 unchanged, 20 retired, 0 quarantined")


@pytest.mark.parametrize(("value", "message"), [
    ("150", "150 is not between 0 and 100"), ("ten", "'ten' is not a whole number of percent")])
def test_the_command_names_a_bad_share(tmp_path, value, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_extract", "--source", "benefits", str(tmp_path / "x.csv"),
                     "--max-retire", value)


# --- quotes ------------------------------------------------------------------------------

def council_tax_file(path, rows):
    path.write_text("\n".join([COUNCIL_TAX_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


ACCOUNTS = [
    '3100000001,MID SUFFOLK DC,"KING, Jacqueline",,,111 Church Rd,,Stowmarket,IP14 4YH,C,'
    '01/06/2016,N,N,,',
    '3100000002,MID SUFFOLK DC,"SMITH, John",,,12 High St,,Stowmarket,IP14 1AA,B,'
    '01/01/2001,N,N,,',
    '3100000003,MID SUFFOLK DC,"JONES, Ann",,,3 Mill Lane,,Stowmarket,IP14 1AB,B,'
    '01/01/2016,N,N,,',
    '3100000004,MID SUFFOLK DC,"PATEL, Ravi",,,4 Mill Lane,,Stowmarket,IP14 1AB,D,'
    '01/01/2016,N,N,,',
]


def import_council_tax(path, **options):
    return do_import_extract(load_profile("council_tax"), path, today=TODAY, **options)


@pytest.mark.parametrize("later", [ACCOUNTS[2:], ["3100000003,MID SUFFOLK DC,JONES,,,,,,,,,,,,"]],
                         ids=["closed by a later quote", "never closed"])
def test_an_unterminated_quote_is_refused_naming_the_line_it_opens_on(tmp_path, later):
    import_council_tax(council_tax_file(tmp_path / "council_tax.csv", ACCOUNTS))
    before = state()
    broken = ACCOUNTS[1].replace('"SMITH, John"', '"SMITH, John')
    path = council_tax_file(tmp_path / "council_tax-2.csv", [ACCOUNTS[0], broken, *later])
    with pytest.raises(ExtractError, match=(
            r"council_tax-2\.csv: line 3: a quoted value opens on this line and its closing "
            r"quote is missing \(reading stopped at line [45]: ")):
        import_council_tax(path, allow_retire=True)
    assert state() == before


def test_a_quoted_value_over_several_lines_still_imports_and_later_lines_keep_their_numbers(
        tmp_path):
    two_lines = ACCOUNTS[1].replace("12 High St", '"12 High St\nStowupland"')
    bad_band = ACCOUNTS[3].replace(",D,", ",Z,")
    done = import_council_tax(council_tax_file(
        tmp_path / "council_tax.csv", [ACCOUNTS[0], two_lines, ACCOUNTS[2], bad_band]))
    assert (done.imported, done.quarantined) == (3, 1)
    assert SourceRecord.objects.get(reference="3100000002").raw["ADDR1"] == (
        "12 High St\nStowupland")
    assert QuarantinedRow.objects.get().line_number == 6


# --- the header ----------------------------------------------------------------------------

def wide_file(path, extra_columns: int):
    extra = [f"extra_{n}" for n in range(extra_columns)]
    path.write_text(",".join([HEADER, *extra]) + "\n"
                    + ",".join([claim(1), *("x" for _ in extra)]) + "\n", encoding="utf-8")
    return path


class CountedName(str):
    """A column name that counts how often it is hashed or compared."""

    operations = 0

    def __eq__(self, other):
        CountedName.operations += 1
        return str.__eq__(self, other)

    def __hash__(self):
        CountedName.operations += 1
        return str.__hash__(self)

    def strip(self, chars=None):
        return CountedName(str.strip(self, chars))


@pytest.mark.parametrize("columns", [300, 3_000])
def test_checking_a_header_compares_each_column_a_fixed_number_of_times(columns):
    """Linear in the columns: comparing each with every other (2,000 columns took 0.1 s,
    20,000 took 15 s) would cost `columns` squared operations here."""
    header = [CountedName(name) for name in
              [*HEADER.split(","), *(f"extra_{n}" for n in range(columns))]]
    CountedName.operations = 0
    check_header(Path("benefits.csv"), load_profile("benefits"), header)
    assert CountedName.operations <= 3 * len(header)


def test_a_wide_file_with_the_profiles_columns_imports(tmp_path):
    done = import_file(wide_file(tmp_path / "benefits.csv", 20_000))
    assert (done.read, done.imported) == (1, 1)


def test_a_header_repeating_thousands_of_columns_is_refused_with_a_short_message(tmp_path):
    path = tmp_path / "benefits.csv"
    path.write_text(",".join([HEADER, *[f"c{n}" for n in range(5_000)] * 2]) + "\n",
                    encoding="utf-8")
    with pytest.raises(ExtractError, match=r"repeats column\(s\) c0, c1, c10, c100, c1000, "
                                           r"c1001, c1002, c1003 and 4992 more$"):
        import_file(path)


def test_spaces_around_a_column_name_do_not_lose_its_values(tmp_path):
    path = tmp_path / "benefits.csv"
    path.write_text(HEADER.replace(",", " , ") + "\n" + claim(1) + "\n", encoding="utf-8")
    import_file(path)
    assert SourceRecord.objects.get().family_name == "jones"
