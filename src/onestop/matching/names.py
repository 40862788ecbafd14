"""Personal names in one comparable form, and the nickname groups that tie Bob to Robert.

Back-office systems write the same name many ways ("SMITH, John A", "Mr J Smith", "john
smith"); `parse_name` splits them into title, given, middle and family names by the
extract's style, and linkage and search compare `clean_name` forms and nickname groups. The
groups come from `data/nicknames.csv`, a reviewed list: a short form shared by two formal
names (Sam: Samuel, Samantha) joins them into one group, because a nickname alone cannot tell
them apart — the date of birth and the rest of the record do that.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from onestop.matching.standardise import BadValue

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame",
                    "lady", "lord", "master", "capt", "cllr"})
_NOT_NAME = re.compile(r"[^a-z' -]+")
# Titles that are also family names, so never taken as a title at the cost of the name.
SURNAME_TITLES = frozenset({"lord", "master", "sir", "lady", "dame"})
_SPACES = re.compile(r"\s+")


def clean_name(text: str) -> str:
    """Lower case, accents folded, punctuation but apostrophes and hyphens dropped.

    "O'Brien" stays "o'brien", "SMITH-JONES" becomes "smith-jones", "Zoë" becomes "zoe".
    """
    folded = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    ascii_text = ascii_text.replace(".", " ").replace(",", " ")
    return _SPACES.sub(" ", _NOT_NAME.sub("", ascii_text)).strip(" -'")


@cache
def _groups() -> dict[str, frozenset[str]]:
    """Every known name → the whole group of names it may stand for (cleaned)."""
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        parent.setdefault(name, name)
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    source = resources.files("onestop") / "data" / "nicknames.csv"
    with source.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            formal = clean_name(row["formal"])
            for short in row["short_forms"].split(";"):
                parent[find(clean_name(short))] = find(formal)
    members: dict[str, set[str]] = {}
    for name in list(parent):
        members.setdefault(find(name), set()).add(name)
    return {name: frozenset(group) for group in members.values() for name in group}


def name_variants(name: str) -> frozenset[str]:
    """The cleaned name and every name in its nickname group ("bob" → robert, rob, …)."""
    cleaned = clean_name(name)
    return _groups().get(cleaned, frozenset({cleaned}) if cleaned else frozenset())


def name_group(name: str) -> str:
    """One key per nickname group (its alphabetically first name); the name if it has none."""
    variants = name_variants(name)
    return min(variants) if variants else ""


# Words that belong to the family name when they come right before it ("van der Berg"),
# whatever case the extract writes them in.
PARTICLES = frozenset({"van", "von", "der", "de", "la", "le", "du", "da", "di", "st"})
NAME_STYLES = ("surname_comma_forenames", "forenames_surname", "forenames")


@dataclass(frozen=True)
class ParsedName:
    """A personal name split into its parts, each in `clean_name` form ("" when absent)."""

    title: str
    given_name: str
    middle_names: str
    family_name: str

    @property
    def given_is_initial(self) -> bool:
        """Whether the given name is only an initial ("j"), to compare by first letter."""
        return len(self.given_name) == 1


def _words(text: str) -> list[str]:
    """The cleaned words, without stray hyphens or apostrophes ("John - Smith")."""
    return [word for word in (w.strip("-'") for w in clean_name(text).split()) if word]


def _without_titles(words: list[str], keep: int = 1) -> tuple[str, list[str]]:
    """The leading titles ("rev dr") and the words after them.

    Some titles are also surnames (Lord, Master, Sir): when taking one as a title would
    leave fewer than `keep` words, it is the name ("LORD, Amelia", "Lord G").
    """
    count = 0
    while count < len(words) and words[count] in TITLES:
        count += 1
    while count and len(words) - count < keep and words[count - 1] in SURNAME_TITLES:
        count -= 1
    return " ".join(words[:count]), words[count:]


def _family_start(words: list[str]) -> int:
    """Where the family name begins when it is last: the last word and its particles.

    The first word is never taken, so that a given name is always left.
    """
    start = len(words) - 1
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    return start


def _family_end(words: list[str]) -> int:
    """Where the family name ends when it is first: its particles and the next word.

    The last word is never taken, so that a given name is always left.
    """
    end = 0
    while end < len(words) - 2 and words[end] in PARTICLES:
        end += 1
    return end + 1


def _checked(text: str, title: str, forenames: list[str], family: list[str],
             need_family: bool = True) -> ParsedName:
    if need_family and not family:
        raise BadValue(f"{text!r} has no surname")
    if not forenames:
        raise BadValue(f"{text!r} has no forename")
    return ParsedName(title=title, given_name=forenames[0],
                      middle_names=" ".join(forenames[1:]), family_name=" ".join(family))


def _surname_comma_forenames(text: str) -> ParsedName:
    surname, comma, forenames = text.partition(",")
    if not comma:
        raise BadValue(f"{text!r} has no comma between surname and forenames")
    surname_title, family = _without_titles(_words(surname), keep=1)
    forename_title, given = _without_titles(_words(forenames))
    title = " ".join(part for part in (surname_title, forename_title) if part)
    return _checked(text, title, given, family)


def _forenames_surname(text: str) -> ParsedName:
    if "," in text:
        return _surname_comma_forenames(text)
    title, words = _without_titles(_words(text), keep=2)
    if not words:
        raise BadValue(f"{text!r} has no surname")
    if len(words) >= 2 and len(words[-1]) == 1 and len(words[0]) > 1:
        # "Smith J": systems that sort by surname write the initials after it.
        end = _family_end(words)
        return _checked(text, title, words[end:], words[:end])
    start = _family_start(words)
    return _checked(text, title, words[:start], words[start:])


def _forenames(text: str) -> ParsedName:
    title, words = _without_titles(_words(text))
    return _checked(text, title, words, [], need_family=False)


_PARSERS = {
    "surname_comma_forenames": _surname_comma_forenames,
    "forenames_surname": _forenames_surname,
    "forenames": _forenames,
}


def parse_name(text: str, style: str) -> ParsedName:
    """Split a name written in one of `NAME_STYLES` into title, given, middle and family.

    - "surname_comma_forenames": "SMITH, John A" → john / a / smith.
    - "forenames_surname": "Mr John Andrew Smith", "J. Smith"; also "Smith J" (a last word
      of one letter after a longer first word means the surname came first) and the comma
      form "SMITH, John".
    - "forenames": given and middle names only ("John Andrew"); family is "".

    Leading titles (`TITLES`) go to `title`. Particles (`PARTICLES`) right before the last
    word stay with the family name ("van der berg"), as do hyphens and apostrophes. Raises
    BadValue when the name has no forename, or (first two styles) no surname, or no comma
    in the comma style; ValueError for an unknown style (a profile error, not a data error).
    """
    try:
        parser = _PARSERS[style]
    except KeyError:
        raise ValueError(f"unknown name style {style!r}; use one of {NAME_STYLES}") from None
    return parser(text or "")
