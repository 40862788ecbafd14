"""Names are cleaned, grouped by nickname, and split into their parts by extract style."""

from __future__ import annotations

import dataclasses
import re

import pytest

from onestop.matching.names import (
    NAME_STYLES,
    ParsedName,
    clean_name,
    name_group,
    name_variants,
    parse_name,
)
from onestop.matching.standardise import BadValue

# --- the existing helpers keep their behaviour ---------------------------------------------


def test_clean_name_keeps_apostrophes_and_hyphens_and_folds_accents():
    assert clean_name("O'Brien") == "o'brien"
    assert clean_name("SMITH-JONES") == "smith-jones"
    assert clean_name("Zoë") == "zoe"


def test_name_variants_and_group_tie_a_nickname_to_its_formal_name():
    assert "robert" in name_variants("Bob")
    assert name_group("Bob") == name_group("Robert")


# --- ParsedName ----------------------------------------------------------------------------


def test_parsed_name_is_frozen():
    name = ParsedName(title="", given_name="john", middle_names="", family_name="smith")
    with pytest.raises(dataclasses.FrozenInstanceError):
        name.given_name = "jon"  # type: ignore[misc]


def test_given_is_initial_when_the_given_name_is_one_letter():
    assert parse_name("J Smith", "forenames_surname").given_is_initial
    assert not parse_name("John Smith", "forenames_surname").given_is_initial


# --- surname_comma_forenames ---------------------------------------------------------------


def test_surname_comma_forenames_splits_middle_initial():
    assert parse_name("SMITH, John A", "surname_comma_forenames") == ParsedName(
        title="", given_name="john", middle_names="a", family_name="smith")


def test_surname_comma_forenames_keeps_several_middle_names_in_order():
    name = parse_name("Smith, John Andrew Peter", "surname_comma_forenames")
    assert (name.given_name, name.middle_names) == ("john", "andrew peter")


def test_surname_comma_forenames_reads_dotted_initials():
    name = parse_name("SMITH, J.A.", "surname_comma_forenames")
    assert (name.given_name, name.middle_names, name.family_name) == ("j", "a", "smith")


def test_surname_comma_forenames_takes_the_title_from_either_side():
    assert parse_name("SMITH, Mrs Jane", "surname_comma_forenames").title == "mrs"
    assert parse_name("Dr SMITH, Jane", "surname_comma_forenames").title == "dr"


def test_surname_comma_forenames_refuses_a_name_without_a_comma():
    with pytest.raises(BadValue, match="'SMITH John' has no comma between surname and forenames"):
        parse_name("SMITH John", "surname_comma_forenames")


def test_surname_comma_forenames_refuses_a_name_with_no_forename():
    with pytest.raises(BadValue) as error:
        parse_name("SMITH,", "surname_comma_forenames")
    assert str(error.value) == "'SMITH,' has no forename"


def test_surname_comma_forenames_refuses_a_name_with_no_surname():
    with pytest.raises(BadValue, match="', John' has no surname"):
        parse_name(", John", "surname_comma_forenames")


def test_surname_comma_forenames_keeps_hyphenated_and_apostrophe_surnames():
    assert parse_name("SMITH-JONES, Ann", "surname_comma_forenames").family_name == (
        "smith-jones")
    assert parse_name("O'BRIEN, Sean", "surname_comma_forenames").family_name == "o'brien"


def test_surname_comma_forenames_keeps_particles_in_the_surname():
    assert parse_name("VAN DER BERG, Pieter", "surname_comma_forenames") == ParsedName(
        title="", given_name="pieter", middle_names="", family_name="van der berg")


# --- forenames_surname ---------------------------------------------------------------------


def test_forenames_surname_strips_the_title_and_splits_the_middle_name():
    assert parse_name("Mr John Andrew Smith", "forenames_surname") == ParsedName(
        title="mr", given_name="john", middle_names="andrew", family_name="smith")


def test_forenames_surname_strips_several_titles():
    assert parse_name("Rev Dr Jane Smith", "forenames_surname").title == "rev dr"


def test_forenames_surname_reads_given_and_family_name():
    assert parse_name("John Smith", "forenames_surname") == ParsedName(
        title="", given_name="john", middle_names="", family_name="smith")


@pytest.mark.parametrize("text", ["J Smith", "J. Smith", "j.smith"])
def test_forenames_surname_reads_an_initial_for_the_given_name(text):
    assert parse_name(text, "forenames_surname") == ParsedName(
        title="", given_name="j", middle_names="", family_name="smith")


def test_forenames_surname_reads_a_surname_written_before_its_initial():
    assert parse_name("Smith J", "forenames_surname") == ParsedName(
        title="", given_name="j", middle_names="", family_name="smith")


def test_forenames_surname_reads_a_surname_written_before_several_initials():
    name = parse_name("Mr Smith J A", "forenames_surname")
    assert (name.title, name.given_name, name.middle_names, name.family_name) == (
        "mr", "j", "a", "smith")


def test_forenames_surname_keeps_particles_of_a_surname_written_first():
    assert parse_name("van der Berg J", "forenames_surname").family_name == "van der berg"


def test_forenames_surname_keeps_two_single_letters_in_the_usual_order():
    # Only a longer first word says the surname came first.
    name = parse_name("J A", "forenames_surname")
    assert (name.given_name, name.family_name) == ("j", "a")


def test_forenames_surname_accepts_the_comma_form():
    assert parse_name("SMITH, John", "forenames_surname") == ParsedName(
        title="", given_name="john", middle_names="", family_name="smith")


def test_forenames_surname_keeps_hyphenated_and_apostrophe_surnames():
    assert parse_name("Ann Smith-Jones", "forenames_surname").family_name == "smith-jones"
    assert parse_name("Sean O'Brien", "forenames_surname").family_name == "o'brien"


@pytest.mark.parametrize(
    ("text", "given", "middle", "family"),
    [
        ("Pieter van der Berg", "pieter", "", "van der berg"),
        ("Maria de la Cruz", "maria", "", "de la cruz"),
        ("Anna Maria Di Marco", "anna", "maria", "di marco"),
        ("Ludwig von Trapp", "ludwig", "", "von trapp"),
        ("Jean Du Pont", "jean", "", "du pont"),
        ("Ana Da Silva", "ana", "", "da silva"),
        ("Marie Le Pen", "marie", "", "le pen"),
        ("Paul La Rue", "paul", "", "la rue"),
        ("Oliver St John", "oliver", "", "st john"),
        ("Jan de Vries", "jan", "", "de vries"),
    ],
)
def test_forenames_surname_keeps_particles_before_the_last_word_in_the_surname(
        text, given, middle, family):
    name = parse_name(text, "forenames_surname")
    assert (name.given_name, name.middle_names, name.family_name) == (given, middle, family)


def test_forenames_surname_always_leaves_a_given_name_before_the_particles():
    name = parse_name("De La Cruz", "forenames_surname")
    assert (name.given_name, name.family_name) == ("de", "la cruz")


def test_forenames_surname_folds_accents_and_ignores_stray_punctuation():
    assert parse_name("Zoë  -  Brontë", "forenames_surname") == ParsedName(
        title="", given_name="zoe", middle_names="", family_name="bronte")


def test_forenames_surname_refuses_a_lone_surname():
    with pytest.raises(BadValue, match="'Mr Smith' has no forename"):
        parse_name("Mr Smith", "forenames_surname")


@pytest.mark.parametrize("text", ["", "   ", "Mr", "..."])
def test_forenames_surname_refuses_a_name_with_no_surname(text):
    with pytest.raises(BadValue, match=re.escape(f"{text!r} has no surname")):
        parse_name(text, "forenames_surname")


def test_forenames_surname_refuses_a_comma_form_with_no_forename():
    with pytest.raises(BadValue, match="'SMITH,' has no forename"):
        parse_name("SMITH,", "forenames_surname")


# --- forenames -----------------------------------------------------------------------------


def test_forenames_reads_given_and_middle_names_only():
    assert parse_name("John Andrew", "forenames") == ParsedName(
        title="", given_name="john", middle_names="andrew", family_name="")


def test_forenames_reads_a_single_given_name():
    assert parse_name("JOHN", "forenames") == ParsedName(
        title="", given_name="john", middle_names="", family_name="")


def test_forenames_strips_a_title():
    name = parse_name("Miss Jane", "forenames")
    assert (name.title, name.given_name) == ("miss", "jane")


@pytest.mark.parametrize("text", ["", " ", "Mrs"])
def test_forenames_refuses_a_name_with_no_forename(text):
    with pytest.raises(BadValue, match=re.escape(f"{text!r} has no forename")):
        parse_name(text, "forenames")


# --- styles --------------------------------------------------------------------------------


def test_every_listed_style_is_understood():
    for style in NAME_STYLES:
        assert parse_name("SMITH, John" if "comma" in style else "John Smith", style)


def test_an_unknown_style_is_a_programming_error_not_a_bad_value():
    with pytest.raises(ValueError, match="unknown name style 'surname_first'") as error:
        parse_name("John Smith", "surname_first")
    assert not isinstance(error.value, BadValue)
