"""Made-up streets, blocks of flats, postcodes and UPRNs in the demo's real places."""

from __future__ import annotations

import random
from dataclasses import dataclass

from onestop.demo.places import (
    BLOCK_KINDS,
    ELSEWHERE,
    INWARD_LETTERS,
    PLACES_BY_DISTRICT,
    STREET_KINDS,
    STREET_STEMS,
    UPRN_BASE,
    UPRN_BLOCK,
    Place,
)
from onestop.demo.specs import Address
from onestop.people.postcodes import normalise_postcode

# About how many addresses share one postcode (Royal Mail's average is around 15).
ADDRESSES_PER_POSTCODE = (8, 22)
# Sector digits 1-9, then two of INWARD_LETTERS.
POSTCODES_PER_OUTWARD_CODE = 9 * len(INWARD_LETTERS) ** 2


@dataclass
class _Street:
    name: str
    capacity: int
    next_number: int = 1
    postcode: str = ""
    left_in_postcode: int = 0


@dataclass
class _Block:
    name: str
    street: _Street
    postcode: str
    per_floor: int
    storeys: int
    next_flat: int = 1

    @property
    def is_full(self) -> bool:
        return self.next_flat > self.per_floor * self.storeys


class AddressBook:
    """Hands out new, unique addresses and UPRNs, street by street, place by place."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used_postcodes: set[str] = set()
        self.postcodes_of: dict[str, list[str]] = {}  # outward code → postcodes given out
        self.used_streets: dict[str, set[str]] = {}
        self.streets: dict[tuple[str, str], _Street] = {}
        self.blocks: dict[str, _Block] = {}
        self.next_uprn = dict(UPRN_BASE)

    def uprn(self, district: str) -> int:
        # Gaps, as in real UPRN sequences, but small enough for a million people.
        uprn = self.next_uprn[district] + self.rng.randint(1, 5)
        if uprn >= UPRN_BASE[district] + UPRN_BLOCK:
            raise ValueError(f"the demo has run out of UPRNs for {district}")
        self.next_uprn[district] = uprn
        return uprn

    def postcode(self, outward: str) -> str:
        """A postcode of `outward` not given out before; once all of them have been (a
        county-sized demo fills a town's 3,600), one already given out, which then holds
        more addresses, as large postcodes do."""
        given = self.postcodes_of.setdefault(outward, [])
        if len(given) >= POSTCODES_PER_OUTWARD_CODE:
            return self.rng.choice(given)
        while True:
            letters = self.rng.choices(INWARD_LETTERS, k=2)
            raw = f"{outward} {self.rng.randint(1, 9)}{letters[0]}{letters[1]}"
            if raw not in self.used_postcodes:
                self.used_postcodes.add(raw)
                canonical = normalise_postcode(raw)
                assert canonical == raw, raw  # the generator only makes valid postcodes
                given.append(canonical)
                return canonical

    def _street_name(self, place: Place, kind: str | None = None) -> str:
        used = self.used_streets.setdefault(place.name, set())
        while True:
            stem = self.rng.choice(STREET_STEMS)
            suffix = kind or self.rng.choices(
                [name for name, _ in STREET_KINDS], [w for _, w in STREET_KINDS])[0]
            name = f"{stem} {suffix}"
            if name not in used or len(used) > 600:
                used.add(name)
                return name

    def _street(self, place: Place, key: str, kind: str | None = None) -> _Street:
        street = self.streets.get((place.name, key))
        if street is None or street.next_number > street.capacity:
            capacity = self.rng.randint(6, 24) if key == "park" else self.rng.randint(8, 70)
            street = _Street(self._street_name(place, kind), capacity)
            self.streets[(place.name, key)] = street
        if street.left_in_postcode <= 0:
            street.postcode = self.postcode(place.outward)
            street.left_in_postcode = self.rng.randint(*ADDRESSES_PER_POSTCODE)
        return street

    def _locality(self, place: Place, *lines: str) -> str:
        # A village's name is an address line of its own; its post town is the town.
        parts = [*lines, place.name] if place.name != place.post_town else list(lines)
        return ", ".join(part for part in parts if part)

    def street_address(self, place: Place, *, park_home: bool = False,
                       maisonette: bool = False) -> tuple[Address, int | None]:
        """A house, bungalow, park home or maisonette; returns the floor for a maisonette."""
        street = self._street(place, "park" if park_home else "street",
                              "Park" if park_home else None)
        number = street.next_number
        street.next_number += 1 if self.rng.random() < 0.6 else 2
        street.left_in_postcode -= 1
        floor = None
        line_1 = f"{number} {street.name}"
        if maisonette:
            floor = self.rng.choice((0, 1))
            line_1 = f"{number}{'AB'[floor]} {street.name}"
        address = Address(line_1, self._locality(place), place.post_town, street.postcode,
                          place.district, place.name)
        return address, floor

    def flat(self, place: Place) -> tuple[Address, int]:
        block = self.blocks.get(place.name)
        if block is None or block.is_full:
            street = self._street(place, "street")
            street.left_in_postcode -= 1
            name = f"{self.rng.choice(STREET_STEMS)} {self.rng.choice(BLOCK_KINDS)}"
            block = _Block(name, street, street.postcode,
                           per_floor=self.rng.randint(2, 4),
                           storeys=self.rng.choices((2, 3, 4, 5), (40, 35, 18, 7))[0])
            self.blocks[place.name] = block
        number = block.next_flat
        block.next_flat += 1
        floor = (number - 1) // block.per_floor
        address = Address(f"Flat {number}, {block.name}",
                          self._locality(place, block.street.name), place.post_town,
                          block.postcode, place.district, place.name)
        return address, floor

    def elsewhere(self) -> Address:
        """An address outside the demo districts, for people who moved in recently."""
        town, outward = self.rng.choice(ELSEWHERE)
        number = self.rng.randint(1, 180)
        stem = self.rng.choice(STREET_STEMS)
        kind = self.rng.choice(("Road", "Street", "Close", "Avenue"))
        letters = self.rng.choices(INWARD_LETTERS, k=2)
        postcode = f"{outward} {self.rng.randint(1, 9)}{letters[0]}{letters[1]}"
        return Address(f"{number} {stem} {kind}", "", town, postcode)

    def previous_address(self, district: str) -> Address:
        """Where a recent mover lived: often nearby, sometimes in the other district."""
        roll = self.rng.random()
        if roll < 0.4:
            return self.elsewhere()
        districts = list(PLACES_BY_DISTRICT)
        if roll >= 0.8:
            districts.remove(district)
            district = districts[0]
        place = self.rng.choices(PLACES_BY_DISTRICT[district],
                                 [p.weight for p in PLACES_BY_DISTRICT[district]])[0]
        # Not a Property of the demo: the old home has new occupants, who are not modelled.
        number = self.rng.randint(1, 120)
        stem = self.rng.choice(STREET_STEMS)
        letters = self.rng.choices(INWARD_LETTERS, k=2)
        postcode = f"{place.outward} {self.rng.randint(1, 9)}{letters[0]}{letters[1]}"
        return Address(f"{number} {stem} Road", self._locality(place), place.post_town,
                       postcode, place.district, place.name)
