"""`import_extract`: rows in, bad rows quarantined with reasons, re-imports change nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from onestop.matching.actions import ExtractError, do_import_extract
from onestop.matching.models import ExtractImport, QuarantinedRow, SourceRecord
from onestop.matching.profiles import load_profile
from onestop.people.actions import do_register_property
from tests.personas import MID_SUFFOLK, SUFFOLK, authorities

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)
HEADER = ("claim_id,forename,surname,nino,date_of_birth,address_line_1,address_line_2,town,"
          "postcode,benefits,award_start")
GOOD = [
    "BEN0000001,John,Smith,AB123456C,1958-03-14,12 High Street,Stowupland,Stowmarket,"
    "IP14 4AB,housing_benefit;pip,2020-01-01",
    "BEN0000002,Elizabeth,Jones,,1990-12-01,3 Mill Lane,,Sudbury,co101aa,child_benefit,"
    "2021-05-05",
    "BEN0000003,Robert,O'Brien,CE654321A,1944-07-30,Flat 2,5 Church Road,Hadleigh,IP7 5AA,"
    "pension_credit,2010-04-06",
    "BEN0000004,Amira,Khan,,2001-02-28,7 Station Road,,Needham Market,IP6 8AA,"
    "universal_credit,2024-03-01",
    "BEN0000005,Tom,Brown,JK112233D,1975-11-11,1 The Street,Wetheringsett,Stowmarket,IP14 5AB,"
    "esa,2019-09-09",
]
MALFORMED = [
    "BEN0000006,Mary,Green,,1961-31-02,4 Main Road,,Stowmarket,IP14 1AA,pip,2019-01-01",
    "BEN0000007,Peter,White,,1980-01-01,9 Park Lane,,Sudbury,NOT A POSTCODE,pip,2019-01-01",
    "BEN0000008,Susan,Black,,1970-05-05,2 Long Lane,,Hadleigh,IP7 5AB,pip",
]


def write(path, rows, encoding="utf-8"):
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding=encoding)
    return path


def import_file(path):
    return do_import_extract(load_profile("benefits"), path, today=TODAY)


def test_three_malformed_rows_are_quarantined_with_reasons_and_the_rest_imported(tmp_path):
    done = import_file(write(tmp_path / "benefits.csv", GOOD[:2] + MALFORMED + GOOD[2:]))
    assert (done.read, done.imported, done.quarantined) == (8, 5, 3)
    reasons = {row.row_number: (row.field, row.reason) for row in done.quarantined_rows.all()}
    assert reasons[3] == ("date_of_birth",
                          "'1961-31-02' is not a date in the form yyyy-mm-dd")
    assert reasons[4][0] == "postcode" and "'NOT A POSTCODE'" in reasons[4][1]
    assert reasons[5] == ("", "the row has 10 fields; the header has 11")
    assert QuarantinedRow.objects.get(row_number=5).raw.startswith("BEN0000008,Susan")
    assert SourceRecord.objects.filter(source="benefits").count() == 5


def test_a_second_import_of_the_same_file_reports_no_changes(tmp_path):
    path = write(tmp_path / "benefits.csv", GOOD + MALFORMED)
    import_file(path)
    again = import_file(path)
    assert (again.imported, again.updated, again.unchanged, again.retired,
            again.quarantined) == (0, 0, 5, 0, 3)
    assert not again.changed_anything
    assert SourceRecord.objects.count() == 5


def test_a_newer_extract_updates_changed_rows_and_retires_vanished_ones(tmp_path):
    import_file(write(tmp_path / "benefits.csv", GOOD))
    moved = GOOD[0].replace("12 High Street", "14 High Street")
    newer = import_file(write(tmp_path / "benefits-2.csv", [moved, *GOOD[1:4]]))
    assert (newer.imported, newer.updated, newer.unchanged, newer.retired) == (0, 1, 3, 1)
    assert SourceRecord.objects.get(reference="BEN0000001").address.startswith("14 high street")
    retired = SourceRecord.objects.get(reference="BEN0000005")
    assert retired.retired_at is not None and not retired.is_active
    back = import_file(write(tmp_path / "benefits-3.csv", GOOD))
    assert back.updated == 2 and SourceRecord.objects.get(reference="BEN0000005").is_active


def test_records_are_standardised_for_linkage(tmp_path):
    import_file(write(tmp_path / "benefits.csv", GOOD))
    record = SourceRecord.objects.get(reference="BEN0000002")
    assert (record.given_name, record.family_name, record.name_group) == (
        "elizabeth", "jones", "bess")
    assert record.postcode == "CO10 1AA"
    assert record.attributes == {"benefits": ["child_benefit"], "award_start": "2021-05-05"}
    assert record.raw["postcode"] == "co101aa"
    flat = SourceRecord.objects.get(reference="BEN0000003")
    assert flat.address == "2 5 church road" and flat.family_name == "o'brien"


def test_a_record_without_a_uprn_is_matched_to_the_property_register(tmp_path):
    home = do_register_property(
        uprn=100099000001, address_line_1="12 High Street", address_line_2="Stowupland",
        town="Stowmarket", postcode="IP14 4AB", property_type="house",
        authorities=authorities(MID_SUFFOLK, SUFFOLK))
    import_file(write(tmp_path / "benefits.csv", GOOD[:1]))
    assert SourceRecord.objects.get(reference="BEN0000001").uprn == home.uprn


def test_a_reference_repeated_in_the_file_is_quarantined_not_merged(tmp_path):
    done = import_file(write(tmp_path / "benefits.csv", [GOOD[0], GOOD[1], GOOD[0]]))
    assert (done.imported, done.quarantined) == (2, 1)
    assert "appears more than once" in done.quarantined_rows.get().reason


def test_a_file_in_the_wrong_encoding_imports_nothing(tmp_path):
    rows = [*GOOD, "BEN0000009,Zoë,Müller,,1990-01-01,1 Lane,,Sudbury,CO10 1AB,pip,2020-01-01"]
    path = write(tmp_path / "benefits.csv", rows, encoding="latin-1")
    with pytest.raises(ExtractError, match=r"line 7 is not valid utf-8 text \(byte 0xeb\)"):
        import_file(path)
    assert not ExtractImport.objects.exists() and not SourceRecord.objects.exists()


def test_a_file_missing_a_column_is_refused_naming_it(tmp_path):
    path = tmp_path / "benefits.csv"
    path.write_text(HEADER.replace(",nino", "") + "\n", encoding="utf-8")
    with pytest.raises(ExtractError, match=r"missing column.*: nino$"):
        import_file(path)
    assert not ExtractImport.objects.exists()


def test_another_systems_file_is_refused_as_not_this_extract(tmp_path):
    path = tmp_path / "council_tax.csv"
    path.write_text("ACCOUNT_REF,LEAD_LIABLE_NAME,BAND\n3100000001,\"SMITH, John\",C\n",
                    encoding="utf-8")
    with pytest.raises(ExtractError, match="does not look like a benefits extract"):
        import_file(path)


def test_the_command_reports_what_it_did_and_lists_quarantined_rows(tmp_path):
    path = write(tmp_path / "benefits.csv", GOOD + MALFORMED)
    out = StringIO()
    call_command("import_extract", "--source", "benefits", str(path), "--quiet", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == ("benefits from benefits.csv: 8 read, 5 imported, 0 updated, "
                        "0 unchanged, 0 retired, 3 quarantined")
    assert lines[1].startswith("  quarantined row 6 (line 7), field 'date_of_birth': ")
    out = StringIO()
    call_command("import_extract", "--source", "benefits", str(path), "--quiet", stdout=out)
    assert out.getvalue().splitlines()[-1] == "No changes."


def test_the_command_names_an_unknown_source_and_a_bad_file(tmp_path):
    with pytest.raises(CommandError, match="no such source profile; known: benefits"):
        call_command("import_extract", "--source", "payroll", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match=r"no such file\nNothing was imported\."):
        call_command("import_extract", "--source", "benefits", str(tmp_path / "x.csv"),
                     "--quiet")


COUNCIL_TAX_HEADER = ("ACCOUNT_REF,BILLING_AUTHORITY,LEAD_LIABLE_NAME,LEAD_LIABLE_DOB,UPRN,ADDR1,"
                      "ADDR2,ADDR3,POSTCODE,BAND,LIABLE_FROM,SPD,CTR,PREV_ADDRESS,PREV_POSTCODE")


def test_the_previous_address_of_a_move_in_form_is_kept_standardised(tmp_path):
    path = tmp_path / "council_tax.csv"
    path.write_text("\n".join([
        COUNCIL_TAX_HEADER,
        '3100000001,MID SUFFOLK DC,"KING, Jacqueline",01/02/1960,,111 Church Rd,Haughley,'
        'Stowmarket,IP14 4YH,C,01/06/2026,Y,N,"52 Queens Rd, Bramford, Ipswich",ip82je',
        '3100000002,MID SUFFOLK DC,"SMITH, John",,,12 High St,,Stowmarket,IP14 1AA,B,'
        '01/01/2001,N,N,,',
        '3100000003,MID SUFFOLK DC,"JONES, Ann",,,3 Mill Lane,,Stowmarket,IP14 1AB,B,'
        '01/01/2026,N,N,"4 Elm Road, Sudbury",NOT A POSTCODE',
    ]) + "\n", encoding="utf-8")
    done = do_import_extract(load_profile("council_tax"), path, today=TODAY)
    assert (done.imported, done.quarantined) == (2, 1)
    king = SourceRecord.objects.get(reference="3100000001")
    assert (king.previous_address, king.previous_postcode) == ("52 queens road bramford",
                                                               "IP8 2JE")
    smith = SourceRecord.objects.get(reference="3100000002")
    assert (smith.previous_address, smith.previous_postcode) == ("", "")
    bad = QuarantinedRow.objects.get()
    assert (bad.row_number, bad.field) == (3, "PREV_POSTCODE")
    assert "postcode" in bad.reason.lower()


def test_a_previous_address_of_one_part_keeps_it_and_an_overlong_address_is_quarantined(
        tmp_path):
    path = tmp_path / "council_tax.csv"
    path.write_text("\n".join([
        COUNCIL_TAX_HEADER,
        '3100000001,MID SUFFOLK DC,"KING, Jacqueline",,,111 Church Rd,Haughley,Stowmarket,'
        'IP14 4YH,C,01/06/2026,Y,N,3 Mill Lane,IP8 2JE',
        '3100000002,MID SUFFOLK DC,"SMITH, John",,,12 High St,,Stowmarket,IP14 1AA,B,'
        f'01/01/2026,N,N,"{"Long Road " * 30}, Ipswich",IP8 2JE',
    ]) + "\n", encoding="utf-8")
    done = do_import_extract(load_profile("council_tax"), path, today=TODAY)
    assert (done.imported, done.quarantined) == (1, 1)
    assert SourceRecord.objects.get().previous_address == "3 mill lane"
    bad = QuarantinedRow.objects.get()
    assert (bad.field, bad.reason) == ("PREV_ADDRESS",
                                       "the address is longer than 255 characters")
