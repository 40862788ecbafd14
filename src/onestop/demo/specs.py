"""The generated demo population as plain data, before (and independent of) the database.

The generator produces these; the build action turns them into rows and the extract
writers into back-office files. Keeping them plain makes the generator deterministic and
testable without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from onestop.demo.places import Place


@dataclass(frozen=True)
class Address:
    line_1: str
    line_2: str
    town: str
    postcode: str
    # The demo district and place it lies in; empty outside Mid Suffolk and Babergh.
    district: str = ""
    place: str = ""

    def lines(self) -> list[str]:
        return [part for part in (self.line_1, self.line_2, self.town) if part]


@dataclass
class PropertySpec:
    uprn: int
    place: Place
    address: Address
    property_type: str
    floor: int | None
    council_tax_band: str
    tenure: str
    # Not stored on Property: it decides who can have garden waste in the extracts.
    has_garden: bool

    @property
    def district(self) -> str:
        return self.place.district


@dataclass
class Phone:
    value: str  # as the resident typed it
    e164: str
    is_mobile: bool
    is_preferred: bool = False


@dataclass
class Email:
    value: str  # as typed; the normalised form is lower case
    is_preferred: bool = False


@dataclass
class PersonSpec:
    index: int
    relationship: str  # head, partner, child, adult_child, grandparent, sharer
    sex: str  # "F" or "M"
    title: str
    given_name: str
    middle_names: str
    family_name: str
    date_of_birth: dt.date
    # A married name's predecessor; some back-office systems still hold it.
    previous_family_name: str = ""
    ni_number: str = ""
    has_disability: bool = False
    preferred_channel: str = ""
    phones: list[Phone] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)
    needs: list[tuple[str, str]] = field(default_factory=list)  # (kind, language)
    consents: list[tuple[str, bool, dt.datetime]] = field(default_factory=list)
    benefits: dict[str, dt.date] = field(default_factory=dict)  # benefit → since

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def middle_initial(self) -> str:
        return self.middle_names[:1]


@dataclass
class HouseholdSpec:
    kind: str
    property: PropertySpec
    moved_in: dt.date
    # Where a household that moved in during the last year lived before.
    previous_address: Address | None = None
    # The household's language when an interpreter is needed; empty for English.
    language: str = ""
    members: list[PersonSpec] = field(default_factory=list)

    @property
    def head(self) -> PersonSpec:
        return self.members[0]

    def adults(self, day: dt.date) -> list[PersonSpec]:
        return [person for person in self.members if person.age_on(day) >= 18]

    def children(self, day: dt.date) -> list[PersonSpec]:
        return [person for person in self.members if person.age_on(day) < 18]


@dataclass
class Population:
    seed: int
    today: dt.date
    households: list[HouseholdSpec]
    # Properties nobody lives in (only when there are too few people to fill the samples).
    vacant: list[PropertySpec] = field(default_factory=list)
    # Each district's sample property: a family's house with a garden.
    showcase: dict[str, PropertySpec] = field(default_factory=dict)

    @property
    def people(self) -> list[PersonSpec]:
        return [person for household in self.households for person in household.members]

    @property
    def properties(self) -> list[PropertySpec]:
        return [household.property for household in self.households] + self.vacant
