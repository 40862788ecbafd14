"""Values from back-office extracts in one comparable form each.

Extracts write the same date, postcode, address, phone, National Insurance number or email
many ways ("31/01/1980", "1980-01-31"; "ip141ab", "IP14 1AB"; "12 High St", "12 HIGH
STREET"). Linkage compares values only after they pass through these functions, so two
records agree exactly when the resident's details do, not when the clerks typed alike.

Every function here is pure. Blank input means "not recorded" and gives "" (or None for a
date), never an error; input that is present but wrong raises `BadValue`, whose message
quotes the value and says what is wrong, so an import can report the row and carry on.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence

from onestop.people.phones import BadPhoneNumber, normalise_phone
from onestop.people.postcodes import normalise_postcode


class BadValue(ValueError):
    """A value in an extract cannot be standardised; the message quotes it and says why.

    The one error every caller of the standardisation functions (names too) catches.
    """


# --- dates ---------------------------------------------------------------------------------

# Longest directives first, so that "%H:%M:%S" is read as a time before "%M" as minutes.
_HUMAN_DIRECTIVES = (
    ("%H:%M:%S", "hh:mm:ss"),
    ("%H:%M", "hh:mm"),
    ("%d", "dd"),
    ("%m", "mm"),
    ("%Y", "yyyy"),
    ("%y", "yy"),
    ("%b", "Mon"),
    ("%B", "Month"),
    ("%H", "hh"),
    ("%M", "mm"),
    ("%S", "ss"),
)


def human_format(strptime_format: str) -> str:
    """A strptime format as a clerk would write it: "%d/%m/%Y" → "dd/mm/yyyy"."""
    text = strptime_format
    for directive, human in _HUMAN_DIRECTIVES:
        text = text.replace(directive, human)
    return text


def parse_date(text: str, formats: Sequence[str]) -> datetime.date | None:
    """The date in `text`, read with the first of `formats` (strptime) that fits.

    Blank or whitespace-only text gives None. A format with a time part still gives a date
    (the time is dropped). Raises BadValue naming the first format when none fits, and
    ValueError when `formats` is empty (a profile error, not a data error).
    """
    if not formats:
        raise ValueError("parse_date needs at least one date format")
    value = (text or "").strip()
    if not value:
        return None
    for date_format in formats:
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    raise BadValue(f"{value!r} is not a date in the form {human_format(formats[0])}")


# --- postcodes -----------------------------------------------------------------------------


def standard_postcode(text: str) -> str:
    """Upper case with one space before the inward code ("ip141ab" → "IP14 1AB").

    Blank gives "". Raises BadValue when the text is not shaped like a UK postcode.
    """
    value = (text or "").strip()
    if not value:
        return ""
    postcode = normalise_postcode(value)
    if postcode is None:
        raise BadValue(f"{value!r} is not a UK postcode")
    return postcode


def postcode_sector(postcode: str) -> str:
    """Outward code and the inward code's digit ("IP14 1AB" → "IP14 1"); "" for "".

    Accepts any form `standard_postcode` accepts, and raises BadValue as it does.
    """
    standard = standard_postcode(postcode)
    if not standard:
        return ""
    outward, inward = standard.split(" ")
    return f"{outward} {inward[0]}"


def postcode_district(postcode: str) -> str:
    """The outward code ("IP14 1AB" → "IP14"); "" for "".

    Accepts any form `standard_postcode` accepts, and raises BadValue as it does.
    """
    return standard_postcode(postcode).split(" ")[0]


# --- addresses -----------------------------------------------------------------------------

_STREET_WORDS = {
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "cl": "close",
    "ln": "lane",
    "cres": "crescent",
    "dr": "drive",
    "gdns": "gardens",
    "ct": "court",
    "pl": "place",
    "sq": "square",
    "ter": "terrace",
    "terr": "terrace",
    "gr": "grove",
    "gro": "grove",
    "pk": "park",
    "hse": "house",
    "cott": "cottage",
    "cotts": "cottages",
}
_FLAT_WORDS = frozenset({"flat", "apartment", "apt"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _ascii_lower(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()


def _address_segments(lines: Sequence[str]) -> list[list[str]]:
    """The words of each comma- or line-separated part of the address, in order.

    Apostrophes join their word ("Mary's" → "marys"); other punctuation separates words.
    """
    segments = []
    for line in lines:
        for part in _ascii_lower(line or "").split(","):
            words = _NOT_WORD.sub(" ", part.replace("'", "").replace("\u2019", "")).split()
            if words:
                segments.append(words)
    return segments


def _starts_with_digit(word: str) -> bool:
    return word[:1].isdigit()


def standard_address(lines: Sequence[str]) -> str:
    """The address lines as one lower-case, ascii, punctuation-free line of words.

    Street-type abbreviations are written out ("rd" → "road", "gdns" → "gardens", …), except
    "dr" as the address's first word, which is kept. "st" is "street" at the end of a line or
    before a comma and "saint" elsewhere ("St Mary's Road" → "saint marys road"). The flat
    and number words before a number are dropped ("Flat 3", "Apt 3", "Flat No 3", "No 12" →
    "3", "12"), so that "Flat 3, 12 High St" and "3 12 High Street" agree. Blank lines are
    skipped; no lines give "". The postcode should not be among the lines.
    """
    words: list[str] = []
    first = True
    for segment in _address_segments(lines):
        for index, word in enumerate(segment):
            following = segment[index + 1 :]
            if word in _FLAT_WORDS and following:
                # "flat no 3": the "no" is dropped on its own turn below.
                after = following[1:] if following[0] == "no" else following
                if after and _starts_with_digit(after[0]):
                    first = False
                    continue
            if word == "no" and following and _starts_with_digit(following[0]):
                first = False
                continue
            if word == "st":
                words.append("saint" if following else "street")
            elif word == "dr" and first:
                words.append(word)
            else:
                words.append(_STREET_WORDS.get(word, word))
            first = False
    return " ".join(words)


_OUTWARD_CODE = re.compile(r"^[a-z]{1,2}[0-9][a-z0-9]?$")
_INWARD_CODE = re.compile(r"^[0-9][a-z]{2}$")


def house_number(address: str) -> str:
    """The words of a `standard_address` result that start with a digit, space-separated.

    "3 12 high street stowupland" → "3 12"; "12a" stays "12a"; a named house gives "". The
    inward code of a postcode left in the address ("ip14 1ab") is not taken for a number.
    """
    words = address.split()
    numbers = []
    for index, word in enumerate(words):
        if not _starts_with_digit(word):
            continue
        if index and _INWARD_CODE.match(word) and _OUTWARD_CODE.match(words[index - 1]):
            continue
        numbers.append(word)
    return " ".join(numbers)


# --- phones, National Insurance numbers, email ---------------------------------------------


def standard_phone(text: str) -> str:
    """The number in E.164 form ("01449 612345" → "+441449612345"); blank gives "".

    UK numbers may be written nationally; others need their +country code. Raises BadValue
    with the reason when the number is not valid (Ofcom's drama numbers are not).
    """
    value = (text or "").strip()
    if not value:
        return ""
    try:
        e164, _is_mobile = normalise_phone(value)
    except BadPhoneNumber as error:
        raise BadValue(str(error)) from None
    return e164


_NINO = re.compile(r"^[A-Z]{2}[0-9]{6}[A-D]$")
_NINO_FIRST_NOT = frozenset("DFIQUV")
_NINO_SECOND_NOT = frozenset("DFIOQUV")
_NINO_PREFIXES_NOT = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def standard_nino(text: str) -> str:
    """The National Insurance number upper case without spaces ("ab 12 34 56 c" → "AB123456C").

    Blank gives "". Raises BadValue unless it has HMRC's shape — two prefix letters, six
    digits, suffix A, B, C or D — and a prefix HMRC issues: the first letter not D, F, I, Q,
    U or V, the second not D, F, I, O, Q, U or V, and not BG, GB, KN, NK, NT, TN or ZZ.
    Temporary reference numbers ("TN…") are refused: they do not identify a person.
    """
    given = (text or "").strip()
    value = re.sub(r"\s+", "", given).upper()
    if not value:
        return ""
    if not _NINO.match(value):
        raise BadValue(f"{given!r} is not a National Insurance number "
                       "(two letters, six digits, then A, B, C or D)")
    prefix = value[:2]
    if prefix == "TN":
        raise BadValue(f"{given!r} is a temporary reference number, "
                       "not a National Insurance number")
    if (prefix[0] in _NINO_FIRST_NOT or prefix[1] in _NINO_SECOND_NOT
            or prefix in _NINO_PREFIXES_NOT):
        raise BadValue(f"{given!r} is not a National Insurance number: "
                       f"HMRC does not issue the prefix {prefix}")
    return value


_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[^@\s.]{2,}$")


def standard_email(text: str) -> str:
    """The address stripped and lower case; blank gives "".

    Raises BadValue unless it is shaped like local@domain.tld (one "@", no spaces, a dotted
    domain). Whether the mailbox exists is not checked.
    """
    given = (text or "").strip()
    value = given.lower()
    if not value:
        return ""
    if not _EMAIL.match(value):
        raise BadValue(f"{given!r} is not an email address in the form name@domain.tld")
    return value
