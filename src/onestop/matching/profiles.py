"""Source profiles: how one back-office system's extract maps onto OneStop's fields.

A profile is a TOML file (`matching/profiles/<name>.toml`, or any path given to
`import_extract --profile`). It names the CSV columns for the system reference, the
resident's name (and how the system writes it), date of birth, address, UPRN, contact
details, and the attributes the system contributes (benefits, band, tenure, school, ...).
A council adds a system by writing a profile, not code; `docs/source-profiles.md` shows one.

`load_profile` validates the whole file and raises `ProfileError` naming the file and the
key that is wrong, so a bad profile never reaches an import.
"""

from __future__ import annotations

import codecs
import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

NAME_STYLES = ("surname_comma_forenames", "forenames_surname", "split")
ATTRIBUTE_KINDS = ("text", "flag", "choice", "list", "date", "integer")
SOURCE_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
SHIPPED = "profiles"


class ProfileError(ValueError):
    """A profile file is malformed; the message names the file and the key."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class NameColumns:
    style: str
    column: str = ""  # the one column, for surname_comma_forenames and forenames_surname
    title: str = ""  # for split: the columns of each part
    forenames: str = ""  # given and middle names in one column
    family: str = ""

    def columns(self) -> list[str]:
        return [c for c in (self.column, self.title, self.forenames, self.family) if c]


@dataclass(frozen=True)
class AddressColumns:
    lines: tuple[str, ...] = ()  # address lines in separate columns
    one_line: str = ""  # or all of them comma-separated in one column
    town_in_line: bool = False  # the one-line address ends with the post town
    town: str = ""
    postcode: str = ""
    uprn: str = ""

    def columns(self) -> list[str]:
        return [c for c in (*self.lines, self.one_line, self.town, self.postcode, self.uprn) if c]


@dataclass(frozen=True)
class Attribute:
    name: str
    column: str
    kind: str
    values: tuple[str, ...] = ()  # for choice
    separator: str = ";"  # for list
    formats: tuple[str, ...] = ()  # for date
    true_values: tuple[str, ...] = ("Y", "YES", "TRUE", "1")  # for flag
    false_values: tuple[str, ...] = ("N", "NO", "FALSE", "0", "")


@dataclass(frozen=True)
class SourceProfile:
    name: str
    title: str
    reference: str
    name_columns: NameColumns
    address: AddressColumns
    encoding: str = "utf-8"
    delimiter: str = ","
    date_of_birth: str = ""
    date_formats: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    national_insurance_number: str = ""
    attributes: tuple[Attribute, ...] = ()
    previous_address: AddressColumns | None = None
    # Slugs of the authorities whose system this is. A record belongs to the one its
    # address lies in (all of them agree when there is one); none: the records give
    # no council the right to see their residents (onestop.people.access).
    held_by: tuple[str, ...] = ()
    path: Path | None = None

    def required_columns(self) -> list[str]:
        """Every column the profile reads; a file lacking any of them is refused."""
        columns = [self.reference, *self.name_columns.columns(), *self.address.columns()]
        if self.previous_address:
            columns += self.previous_address.columns()
        columns += [c for c in (self.date_of_birth, self.phone, self.email,
                                self.national_insurance_number) if c]
        columns += [attribute.column for attribute in self.attributes]
        return list(dict.fromkeys(columns))


def shipped_profiles_dir() -> Path:
    return Path(str(resources.files("onestop.matching") / SHIPPED))


def shipped_profile_names() -> list[str]:
    return sorted(path.stem for path in shipped_profiles_dir().glob("*.toml"))


def load_profile(name_or_path: str | Path) -> SourceProfile:
    """The shipped profile called `name`, or the profile at a path ending in .toml."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = shipped_profiles_dir() / f"{name_or_path}.toml"
        if not path.exists():
            known = ", ".join(shipped_profile_names())
            raise ProfileError(str(name_or_path), f"no such source profile; known: {known}")
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(str(path), "file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(str(path), f"not valid TOML: {error}") from None
    return parse_profile(document, where=str(path), path=path)


def parse_profile(document: dict[str, Any], *, where: str, path: Path | None = None
                  ) -> SourceProfile:
    reader = _Table(document, where)
    name = reader.text("name")
    if not set(name) <= SOURCE_NAME_CHARS:
        raise ProfileError(where, f"name {name!r} may hold only a-z, 0-9 and _")
    encoding = reader.text("encoding", default="utf-8")
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise ProfileError(where, f"encoding {encoding!r} is not a known text encoding") from None
    if "\n".encode(codec.name, errors="replace") != b"\n" or codec.name.startswith("utf-16"):
        # Extracts are split into lines before decoding, to report a bad byte's line.
        raise ProfileError(where, f"encoding {encoding!r} is not supported: use UTF-8 or a "
                                  "single-byte encoding such as cp1252")
    delimiter = reader.text("delimiter", default=",")
    if len(delimiter) != 1:
        raise ProfileError(where, f"delimiter {delimiter!r} must be one character")
    dob = reader.table("date_of_birth", required=False)
    contact = reader.table("contact", required=False)
    profile = SourceProfile(
        name=name, title=reader.text("title"), reference=reader.text("reference"),
        encoding=encoding, delimiter=delimiter,
        name_columns=_name_columns(reader.table("person_name")),
        address=_address_columns(reader.table("address")),
        date_of_birth=dob.text("column") if dob else "",
        date_formats=_formats(dob) if dob else (),
        phone=contact.text("phone", default="") if contact else "",
        email=contact.text("email", default="") if contact else "",
        national_insurance_number=contact.text("national_insurance_number", default="")
        if contact else "",
        attributes=_attributes(reader.table("attributes", required=False)),
        previous_address=_previous_address_columns(reader.table("previous_address",
                                                                required=False)),
        held_by=tuple(dict.fromkeys(reader.text_list("held_by", default=[]))),
        path=path,
    )
    if contact:
        contact.done()
    if dob:
        dob.done()
    reader.done()
    return profile


def _name_columns(table: _Table) -> NameColumns:
    style = table.choice("style", NAME_STYLES)
    if style == "split":
        columns = NameColumns(style, title=table.text("title", default=""),
                              forenames=table.text("forenames"), family=table.text("family"))
    else:
        columns = NameColumns(style, column=table.text("column"))
    table.done()
    return columns


def _address_columns(table: _Table) -> AddressColumns:
    lines = tuple(table.text_list("lines", default=[]))
    one_line = table.text("one_line", default="")
    if bool(lines) == bool(one_line):
        raise ProfileError(table.where, "give either 'lines' (a list of columns) or "
                                        "'one_line' (one comma-separated column), not both")
    address = AddressColumns(
        lines=lines, one_line=one_line, town_in_line=table.flag("town_in_line", default=False),
        town=table.text("town", default=""), postcode=table.text("postcode"),
        uprn=table.text("uprn", default=""))
    table.done()
    return address


def _previous_address_columns(table: _Table | None) -> AddressColumns | None:
    """Like [address], but a previous home has no UPRN of ours and no town is needed."""
    if table is None:
        return None
    if "uprn" in table.values:
        raise ProfileError(table.where, "'uprn' is not read for a previous address (the "
                                        "register holds current homes only)")
    return _address_columns(table)


def _formats(table: _Table) -> tuple[str, ...]:
    formats = tuple(table.text_list("formats"))
    for pattern in formats:
        try:
            dt.datetime(2001, 2, 3, 4, 5, 6).strftime(pattern)
            if "%" not in pattern:
                raise ValueError
        except ValueError:
            raise ProfileError(table.where, f"date format {pattern!r} is not a strftime "
                                            "pattern such as '%d/%m/%Y'") from None
    return formats


def _attributes(table: _Table | None) -> tuple[Attribute, ...]:
    if table is None:
        return ()
    attributes = []
    for name in table.keys():
        entry = table.table(name)
        kind = entry.choice("kind", ATTRIBUTE_KINDS)
        attribute = Attribute(
            name=name, column=entry.text("column"), kind=kind,
            values=tuple(entry.text_list("values")) if kind == "choice" else (),
            separator=entry.text("separator", default=";") if kind == "list" else ";",
            formats=_formats(entry) if kind == "date" else (),
        )
        entry.done()
        attributes.append(attribute)
    table.done()
    return tuple(attributes)


class _Table:
    """Reads one TOML table, remembering which keys were used so extras are refused."""

    def __init__(self, values: dict[str, Any], where: str) -> None:
        self.values, self.where, self.used = values, where, set()

    def keys(self) -> list[str]:
        self.used.update(self.values)
        return list(self.values)

    def _get(self, key: str, default: Any, kind: type, label: str) -> Any:
        self.used.add(key)
        if key not in self.values:
            if default is _REQUIRED:
                raise ProfileError(self.where, f"'{key}' is missing")
            return default
        value = self.values[key]
        if not isinstance(value, kind):
            raise ProfileError(self.where, f"'{key}' must be {label}, not {value!r}")
        return value

    def text(self, key: str, default: Any = None) -> str:
        value = self._get(key, _REQUIRED if default is None else default, str, "text")
        if default is None and not value.strip():
            raise ProfileError(self.where, f"'{key}' is empty")
        return value

    def flag(self, key: str, default: bool) -> bool:
        return self._get(key, default, bool, "true or false")

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.text(key)
        if value not in choices:
            raise ProfileError(self.where, f"'{key}' is {value!r}; one of {', '.join(choices)}")
        return value

    def text_list(self, key: str, default: Any = None) -> list[str]:
        value = self._get(key, _REQUIRED if default is None else default, list, "a list")
        if default is None and not value:
            raise ProfileError(self.where, f"'{key}' is an empty list")
        if not all(isinstance(item, str) and item for item in value):
            raise ProfileError(self.where, f"'{key}' must list non-empty texts")
        return value

    def table(self, key: str, required: bool = True) -> _Table | None:
        value = self._get(key, _REQUIRED if required else None, dict, "a table")
        return None if value is None else _Table(value, f"{self.where} [{key}]")

    def done(self) -> None:
        unknown = sorted(set(self.values) - self.used)
        if unknown:
            raise ProfileError(self.where, f"unknown key(s): {', '.join(unknown)}")


_REQUIRED = object()
