"""What every back-office extract shares: its definition, rows, ground truth and formats."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onestop.demo.noise import Noise
from onestop.demo.specs import Address, HouseholdSpec, PersonSpec, Population


@dataclass
class Entry:
    """One record to write: whose it is, where they live, and source-specific extras."""

    person: PersonSpec
    household: HouseholdSpec
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Extract:
    source: str
    title: str
    id_column: str
    covers: str
    columns: tuple[tuple[str, str], ...]
    rates: dict[str, float]
    noise: Noise
    rows: list[dict[str, str]] = field(default_factory=list)
    # (source record id, index of the true person in the population)
    truth: list[tuple[str, int]] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{self.source}.csv"

    @property
    def header(self) -> list[str]:
        return [name for name, _ in self.columns]

    def write(self, folder: Path) -> Path:
        path = folder / self.filename
        with path.open("w", newline="", encoding="utf-8") as handle:
            # Plain csv, not onestop.core.csvfiles: this is a back-office system's export,
            # an input our import reads back, not a report for a spreadsheet. Written as
            # the system would write it ("+44 7700 900123" as given); an apostrophe would
            # make the demo's phones and names something no real extract holds.
            writer = csv.DictWriter(handle, fieldnames=self.header)
            writer.writeheader()
            writer.writerows(self.rows)
        return path


@dataclass
class Context:
    population: Population
    seed: int

    @property
    def today(self) -> dt.date:
        return self.population.today

    def rng(self, source: str) -> random.Random:
        # Each extract its own stream: changing one source's errors leaves the others alone.
        return random.Random(f"{self.seed}:extract:{source}")


def start_extract(context: Context, source: str, **definition) -> Extract:
    return Extract(source=source, noise=Noise(context.rng(source), definition["rates"]),
                   **definition)


def finish(extract: Extract, entries: Sequence[Entry], render: Callable[[Entry], dict],
           make_id: Callable[[int, Entry], str]) -> Extract:
    """Render every entry (and some twice, as duplicates), shuffle, number and record truth.

    The shuffle makes record order say nothing about households; numbering after it gives
    each source its own, unrelated sequence of record ids.
    """
    noise = extract.noise
    rendered = [(entry, render(entry)) for entry in entries]
    for entry in entries:
        if noise.roll("duplicate"):
            noise.count("duplicate")
            rendered.append((entry, render(entry)))
    noise.rng.shuffle(rendered)
    for number, (entry, row) in enumerate(rendered, start=1):
        record_id = make_id(number, entry)
        row[extract.id_column] = record_id
        extract.rows.append({name: _text(row.get(name)) for name in extract.header})
        extract.truth.append((record_id, entry.person.index))
    return extract


def _text(value) -> str:
    return "" if value is None else str(value)


def address_for(noise: Noise, household: HouseholdSpec) -> Address:
    """The household's address, or for a recent mover sometimes the one they left."""
    previous = household.previous_address
    if previous is not None and noise.roll("stale_address"):
        noise.count("stale_address")
        return previous
    return household.property.address


def date_text(day: dt.date | None, pattern: str) -> str:
    return day.strftime(pattern) if day else ""


def birthday(born: dt.date, age: int) -> dt.date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # born on 29 February
        return born.replace(year=born.year + age, day=28)


def mother_or_head(household: HouseholdSpec, today: dt.date) -> PersonSpec:
    parents = [p for p in household.members if p.relationship in ("head", "partner")
               and p.age_on(today) >= 16]
    mothers = [p for p in parents if p.sex == "F"]
    return (mothers or parents or household.members)[0]


def phone_as_typed(person: PersonSpec) -> str:
    phone = next((p for p in person.phones if p.is_mobile), None) or \
        next(iter(person.phones), None)
    return phone.value if phone else ""
