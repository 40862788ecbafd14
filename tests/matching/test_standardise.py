"""The standardisation functions bring each extract value into one comparable form."""

from __future__ import annotations

import datetime

import pytest

from onestop.matching.standardise import (
    BadValue,
    house_number,
    human_format,
    parse_date,
    postcode_district,
    postcode_sector,
    standard_address,
    standard_email,
    standard_nino,
    standard_phone,
    standard_postcode,
)

# --- BadValue ------------------------------------------------------------------------------


def test_bad_value_is_a_value_error():
    assert issubclass(BadValue, ValueError)


# --- dates ---------------------------------------------------------------------------------


def test_parse_date_reads_the_first_format_that_fits():
    formats = ["%d/%m/%Y", "%Y-%m-%d"]
    assert parse_date("31/01/1980", formats) == datetime.date(1980, 1, 31)
    assert parse_date("1980-01-31", formats) == datetime.date(1980, 1, 31)


def test_parse_date_tries_formats_in_order():
    # 02/03/1980 fits both; the first format (day first) wins.
    assert parse_date("02/03/1980", ["%d/%m/%Y", "%m/%d/%Y"]) == datetime.date(1980, 3, 2)
    assert parse_date("02/03/1980", ["%m/%d/%Y", "%d/%m/%Y"]) == datetime.date(1980, 2, 3)


def test_parse_date_ignores_surrounding_spaces():
    assert parse_date("  31/01/1980 ", ["%d/%m/%Y"]) == datetime.date(1980, 1, 31)


def test_parse_date_drops_the_time_of_a_timestamp_format():
    value = parse_date("1980-01-31 00:00:00", ["%Y-%m-%d %H:%M:%S"])
    assert value == datetime.date(1980, 1, 31)
    assert type(value) is datetime.date


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_parse_date_gives_none_for_a_blank_value(blank):
    assert parse_date(blank, ["%d/%m/%Y"]) is None


def test_parse_date_refuses_an_impossible_date_naming_the_first_format_in_human_form():
    with pytest.raises(BadValue) as error:
        parse_date("31/02/1980", ["%d/%m/%Y", "%Y-%m-%d"])
    assert str(error.value) == "'31/02/1980' is not a date in the form dd/mm/yyyy"


def test_parse_date_refuses_text_that_is_not_a_date():
    with pytest.raises(BadValue, match="'soon' is not a date in the form dd-Mon-yyyy"):
        parse_date("soon", ["%d-%b-%Y"])


def test_parse_date_needs_at_least_one_format():
    with pytest.raises(ValueError, match="at least one date format"):
        parse_date("31/01/1980", [])


@pytest.mark.parametrize(
    ("strptime_format", "human"),
    [
        ("%d/%m/%Y", "dd/mm/yyyy"),
        ("%d-%b-%Y", "dd-Mon-yyyy"),
        ("%Y-%m-%d %H:%M:%S", "yyyy-mm-dd hh:mm:ss"),
        ("%d/%m/%y", "dd/mm/yy"),
    ],
)
def test_human_format_writes_strptime_directives_as_a_clerk_would(strptime_format, human):
    assert human_format(strptime_format) == human


# --- postcodes -----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["IP14 1AB", "ip141ab", " ip14  1ab ", "IP141AB"])
def test_standard_postcode_puts_one_space_before_the_inward_code(typed):
    assert standard_postcode(typed) == "IP14 1AB"


@pytest.mark.parametrize("blank", ["", "  "])
def test_standard_postcode_gives_empty_for_a_blank_value(blank):
    assert standard_postcode(blank) == ""


def test_standard_postcode_refuses_what_is_not_a_uk_postcode():
    with pytest.raises(BadValue) as error:
        standard_postcode("XX1")
    assert str(error.value) == "'XX1' is not a UK postcode"


def test_postcode_sector_is_the_outward_code_and_the_inward_digit():
    assert postcode_sector("IP14 1AB") == "IP14 1"
    assert postcode_sector("SW1A 2AA") == "SW1A 2"


def test_postcode_district_is_the_outward_code():
    assert postcode_district("IP14 1AB") == "IP14"
    assert postcode_district("SW1A 2AA") == "SW1A"


def test_postcode_sector_and_district_are_empty_for_no_postcode():
    assert postcode_sector("") == ""
    assert postcode_district("") == ""


def test_postcode_sector_and_district_refuse_what_is_not_a_postcode():
    with pytest.raises(BadValue, match="not a UK postcode"):
        postcode_sector("XX1")
    with pytest.raises(BadValue, match="not a UK postcode"):
        postcode_district("XX1")


# --- addresses -----------------------------------------------------------------------------


def test_standard_address_joins_lines_and_writes_out_the_flat_and_street():
    assert standard_address(["Flat 3, 12 High St", "Stowupland"]) == "3 12 high street stowupland"


def test_standard_address_lowers_case_folds_accents_and_drops_punctuation():
    assert standard_address(["The Café,  Rose-Lane!", "BRÜNN"]) == "the cafe rose lane brunn"


def test_standard_address_skips_blank_lines():
    assert standard_address(["12 Church Road", "", "   ", "Stowmarket"]) == (
        "12 church road stowmarket")


def test_standard_address_of_no_lines_is_empty():
    assert standard_address([]) == ""
    assert standard_address(["", " "]) == ""


@pytest.mark.parametrize(
    ("abbreviation", "word"),
    [
        ("Rd", "road"), ("Ave", "avenue"), ("Av", "avenue"), ("Cl", "close"), ("Ln", "lane"),
        ("Cres", "crescent"), ("Dr", "drive"), ("Gdns", "gardens"), ("Ct", "court"),
        ("Pl", "place"), ("Sq", "square"), ("Ter", "terrace"), ("Terr", "terrace"),
        ("Gr", "grove"), ("Gro", "grove"), ("Pk", "park"), ("Hse", "house"),
        ("Cott", "cottage"), ("Cotts", "cottages"),
    ],
)
def test_standard_address_writes_out_street_type_abbreviations(abbreviation, word):
    assert standard_address([f"12 Manor {abbreviation}"]) == f"12 manor {word}"
    assert standard_address([f"12 Manor {abbreviation}."]) == f"12 manor {word}"


def test_standard_address_keeps_dr_as_the_first_word():
    assert standard_address(["Dr Browns Surgery", "Manor Dr"]) == "dr browns surgery manor drive"


def test_standard_address_reads_st_at_a_line_end_as_street():
    assert standard_address(["12 High St", "Stowupland"]) == "12 high street stowupland"


def test_standard_address_reads_st_before_a_comma_as_street():
    assert standard_address(["12 High St., Stowupland"]) == "12 high street stowupland"


def test_standard_address_reads_st_before_a_word_as_saint():
    assert standard_address(["4 St Mary's Road"]) == "4 saint marys road"
    assert standard_address(["St. Peter's Close"]) == "saint peters close"


@pytest.mark.parametrize("flat", ["Flat 3", "Apartment 3", "Apt 3", "Flat No 3", "flat no. 3"])
def test_standard_address_drops_the_flat_word_before_the_flat_number(flat):
    assert standard_address([f"{flat}, 12 High Street"]) == "3 12 high street"


def test_standard_address_drops_no_before_a_house_number():
    assert standard_address(["No 12 High Street"]) == "12 high street"
    assert standard_address(["No. 12a High Street"]) == "12a high street"


def test_standard_address_keeps_flat_and_no_that_are_not_before_a_number():
    assert standard_address(["Flat A, The Old Mill"]) == "flat a the old mill"
    assert standard_address(["No Mans Land"]) == "no mans land"


def test_standard_address_makes_differently_typed_addresses_agree():
    assert standard_address(["FLAT 3", "12, HIGH ST.", "STOWUPLAND"]) == standard_address(
        ["Flat No 3, 12 High Street", "Stowupland"])


def test_house_number_is_the_words_that_start_with_a_digit():
    assert house_number("3 12 high street stowupland") == "3 12"


def test_house_number_keeps_a_letter_suffix():
    assert house_number("12a high street") == "12a"


def test_house_number_of_a_named_house_is_empty():
    assert house_number("rose cottage church lane") == ""
    assert house_number("") == ""


def test_house_number_ignores_the_inward_code_of_a_postcode_left_in_the_address():
    assert house_number("12 high street ip14 1ab") == "12"


# --- phones --------------------------------------------------------------------------------


def test_standard_phone_gives_a_mobile_in_e164_form():
    assert standard_phone("07712 345678") == "+447712345678"


def test_standard_phone_gives_a_landline_in_e164_form():
    assert standard_phone("01449 612345") == "+441449612345"
    assert standard_phone("+44 (0)1449 612345") == "+441449612345"


@pytest.mark.parametrize("blank", ["", "  "])
def test_standard_phone_gives_empty_for_a_blank_value(blank):
    assert standard_phone(blank) == ""


def test_standard_phone_refuses_an_ofcom_drama_number():
    with pytest.raises(BadValue, match=r"'07700 900123' is not a valid phone number"):
        standard_phone("07700 900123")


def test_standard_phone_refuses_text_that_is_not_a_number():
    with pytest.raises(BadValue, match=r"'ring me' is not a phone number"):
        standard_phone("ring me")


# --- National Insurance numbers ------------------------------------------------------------


@pytest.mark.parametrize("typed", ["AB123456C", "ab 12 34 56 c", " AB 123456 C "])
def test_standard_nino_is_upper_case_without_spaces(typed):
    assert standard_nino(typed) == "AB123456C"


@pytest.mark.parametrize("suffix", ["A", "B", "C", "D"])
def test_standard_nino_accepts_each_suffix_letter(suffix):
    assert standard_nino(f"JR123456{suffix}") == f"JR123456{suffix}"


@pytest.mark.parametrize("blank", ["", "  "])
def test_standard_nino_gives_empty_for_a_blank_value(blank):
    assert standard_nino(blank) == ""


@pytest.mark.parametrize(
    "shape",
    ["AB12345C", "AB1234567C", "AB123456E", "AB123456", "A1123456C", "12345678C", "AB12 34X6C"],
)
def test_standard_nino_refuses_the_wrong_shape(shape):
    with pytest.raises(BadValue, match="is not a National Insurance number"):
        standard_nino(shape)


def test_standard_nino_quotes_the_value_as_given():
    with pytest.raises(BadValue) as error:
        standard_nino("ab 12 34 56")
    assert str(error.value).startswith("'ab 12 34 56' is not a National Insurance number")


@pytest.mark.parametrize("first", list("DFIQUV"))
def test_standard_nino_refuses_a_first_prefix_letter_hmrc_never_issues(first):
    with pytest.raises(BadValue, match=f"HMRC does not issue the prefix {first}A"):
        standard_nino(f"{first}A123456C")


@pytest.mark.parametrize("second", list("DFIOQUV"))
def test_standard_nino_refuses_a_second_prefix_letter_hmrc_never_issues(second):
    with pytest.raises(BadValue, match=f"HMRC does not issue the prefix A{second}"):
        standard_nino(f"A{second}123456C")


@pytest.mark.parametrize("prefix", ["BG", "GB", "KN", "NK", "NT", "ZZ"])
def test_standard_nino_refuses_a_prefix_hmrc_never_issues(prefix):
    with pytest.raises(BadValue, match=f"HMRC does not issue the prefix {prefix}"):
        standard_nino(f"{prefix}123456C")


def test_standard_nino_refuses_a_temporary_reference_number():
    with pytest.raises(BadValue) as error:
        standard_nino("TN 31 01 80 M")
    assert "not a National Insurance number" in str(error.value)
    with pytest.raises(BadValue, match="'TN123456A' is a temporary reference number"):
        standard_nino("TN123456A")


# --- email ---------------------------------------------------------------------------------


def test_standard_email_is_stripped_and_lower_case():
    assert standard_email("  Jo.Smith@Example.GOV.uk ") == "jo.smith@example.gov.uk"


@pytest.mark.parametrize("blank", ["", "  "])
def test_standard_email_gives_empty_for_a_blank_value(blank):
    assert standard_email(blank) == ""


@pytest.mark.parametrize(
    "bad",
    ["jo.smith", "jo@example", "@example.com", "jo@.com", "jo@@example.com", "jo smith@x.com",
     "jo@example.c", "jo@example..com", "jo@example.com."],
)
def test_standard_email_refuses_what_is_not_local_at_domain_dot_tld(bad):
    with pytest.raises(BadValue, match=r"is not an email address in the form name@domain\.tld"):
        standard_email(bad)


def test_standard_email_quotes_the_value_as_given():
    with pytest.raises(BadValue) as error:
        standard_email(" Jo@Example ")
    assert str(error.value) == "'Jo@Example' is not an email address in the form name@domain.tld"
