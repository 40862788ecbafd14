"""One extract row → one standardised source record, or the reason it cannot be one.

Everything here is pure: the importer decides what to do with a `ParsedRow` or a
`RowProblem`. A row is refused when a value it does give is wrong (an impossible date, a
postcode that is not one, a malformed NI number): guessing would link the wrong people.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from onestop.matching.names import ParsedName, clean_name, name_group, parse_name
from onestop.matching.profiles import Attribute, SourceProfile
from onestop.matching.standardise import (
    BadValue,
    parse_date,
    standard_address,
    standard_email,
    standard_nino,
    standard_phone,
    standard_postcode,
)

OLDEST_BIRTH = dt.date(1900, 1, 1)


class RowProblem(ValueError):
    """A row that cannot be imported: which field, and why."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}" if field else reason)


@dataclass
class ParsedRow:
    reference: str
    title: str
    given_name: str
    middle_names: str
    family_name: str
    name_group: str
    date_of_birth: dt.date | None
    national_insurance_number: str
    phone: str
    email: str
    address: str
    postcode: str
    uprn: int | None
    previous_address: str
    previous_postcode: str
    attributes: dict[str, Any]
    raw: dict[str, str]
    row_hash: str = field(default="")

    def record_fields(self) -> dict[str, Any]:
        """The SourceRecord field values this row gives (all but bookkeeping)."""
        return {name: getattr(self, name) for name in RECORD_FIELDS}


RECORD_FIELDS = ("title", "given_name", "middle_names", "family_name", "name_group",
                 "date_of_birth", "national_insurance_number", "phone", "email", "address",
                 "postcode", "uprn", "previous_address", "previous_postcode", "attributes", "raw",
                 "row_hash")


def row_hash(values: dict[str, str], columns: list[str]) -> str:
    """A fingerprint of the columns the profile reads: equal rows import as unchanged."""
    joined = "\x1f".join(values.get(column) or "" for column in columns)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def parse_row(profile: SourceProfile, values: dict[str, str], *,
              today: dt.date | None = None) -> ParsedRow:
    """The row standardised, or RowProblem naming the first field that is wrong."""
    today = today or dt.date.today()

    def text(column: str) -> str:
        return (values.get(column) or "").strip() if column else ""

    reference = text(profile.reference)
    if not reference:
        raise RowProblem(profile.reference, "the system reference is empty")
    name = _name(profile, text)
    born = None
    if profile.date_of_birth:
        born = _checked(profile.date_of_birth,
                        lambda: parse_date(text(profile.date_of_birth), profile.date_formats))
        if born is not None and not OLDEST_BIRTH <= born <= today:
            raise RowProblem(profile.date_of_birth, f"{born:%d/%m/%Y} is not a possible date "
                                                    "of birth")
    address_lines, _town = _address_lines(profile, text)
    columns = profile.address
    uprn = None
    if columns.uprn and text(columns.uprn):
        uprn_text = text(columns.uprn)
        if not uprn_text.isdigit() or len(uprn_text) > 12:
            raise RowProblem(columns.uprn, f"{uprn_text!r} is not a UPRN (up to 12 digits)")
        uprn = int(uprn_text)
    previous_address, previous_postcode = _previous_address(profile, text)
    parsed = ParsedRow(
        reference=reference, title=name.title, given_name=name.given_name,
        middle_names=name.middle_names, family_name=name.family_name,
        name_group=name_group(name.given_name) if not name.given_is_initial else "",
        date_of_birth=born,
        national_insurance_number=_checked(profile.national_insurance_number,
                                           lambda: standard_nino(
                                               text(profile.national_insurance_number))),
        phone=_checked(profile.phone, lambda: standard_phone(text(profile.phone))),
        email=_checked(profile.email, lambda: standard_email(text(profile.email))),
        address=_fits(profile.address.one_line or profile.address.lines[0],
                      standard_address(address_lines)),
        postcode=_checked(columns.postcode, lambda: standard_postcode(text(columns.postcode))),
        uprn=uprn, previous_address=previous_address, previous_postcode=previous_postcode,
        attributes={a.name: _attribute(a, text(a.column)) for a in profile.attributes},
        raw={column: values.get(column) or "" for column in profile.required_columns()},
    )
    parsed.row_hash = row_hash(values, profile.required_columns())
    return parsed


ADDRESS_LENGTH = 255  # SourceRecord.address and previous_address


def _fits(column: str, address: str) -> str:
    if len(address) > ADDRESS_LENGTH:
        raise RowProblem(column, f"the address is longer than {ADDRESS_LENGTH} characters")
    return address


def _checked(column: str, standardise):
    if not column:
        return ""
    try:
        return standardise()
    except BadValue as error:
        raise RowProblem(column, str(error)) from None


def _name(profile: SourceProfile, text) -> ParsedName:
    columns = profile.name_columns
    if columns.style == "split":
        forenames = _checked(columns.forenames, lambda: parse_name(text(columns.forenames),
                                                                   "forenames"))
        family = clean_name(text(columns.family))
        if not family:
            raise RowProblem(columns.family, "the family name is empty")
        return ParsedName(title=clean_name(text(columns.title)),
                          given_name=forenames.given_name,
                          middle_names=forenames.middle_names, family_name=family)
    return _checked(columns.column, lambda: parse_name(text(columns.column), columns.style))


def _address_lines(profile: SourceProfile, text) -> tuple[list[str], str]:
    columns = profile.address
    if columns.lines:
        lines = [text(column) for column in columns.lines]
    else:
        lines = [part.strip() for part in text(columns.one_line).split(",")]
    town = text(columns.town)
    if columns.town_in_line and lines:
        town = lines.pop()
    if not any(lines):
        column = columns.one_line or columns.lines[0]
        raise RowProblem(column, "the address is empty")
    return lines, town


def _previous_address(profile: SourceProfile, text) -> tuple[str, str]:
    """The previous address and postcode, standardised; blank when the row gives none.

    An address without its postcode (or the reverse) is kept as given: either still helps
    a person be recognised where they lived before.
    """
    columns = profile.previous_address
    if columns is None:
        return "", ""
    if columns.lines:
        lines = [text(column) for column in columns.lines]
    else:
        lines = [part.strip() for part in text(columns.one_line).split(",")]
    if columns.town_in_line and len([line for line in lines if line]) > 1:
        lines.pop()  # a lone part is the street, not the town
    postcode = _checked(columns.postcode, lambda: standard_postcode(text(columns.postcode)))
    address = standard_address(lines) if any(lines) else ""
    _fits(columns.one_line or columns.lines[0], address)
    return address, postcode


def _attribute(attribute: Attribute, value: str) -> Any:
    kind = attribute.kind
    if kind == "text":
        return value
    if kind == "flag":
        upper = value.upper()
        if upper in attribute.true_values:
            return True
        if upper in attribute.false_values:
            return False
        raise RowProblem(attribute.column, f"{value!r} is not Y or N")
    if kind == "choice":
        if value and value not in attribute.values:
            raise RowProblem(attribute.column, f"{value!r} is not one of "
                                               f"{', '.join(attribute.values)}")
        return value
    if kind == "list":
        return sorted({item.strip() for item in value.split(attribute.separator)
                       if item.strip()})
    if kind == "date":
        day = _checked(attribute.column, lambda: parse_date(value, attribute.formats))
        return day.isoformat() if day else None
    if kind == "integer":
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            raise RowProblem(attribute.column, f"{value!r} is not a whole number") from None
    raise AssertionError(f"unknown attribute kind {kind}")  # profiles.py refuses these
