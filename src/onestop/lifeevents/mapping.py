"""Which services a life event affects: the reviewed data file, read and checked.

`data/event_services.csv` has one row per (event, service): `event` is a kind of life
event, `lgsl` the affected service, `tell` when its back office is told and `why` the
plain-English reason a back office and the resident both read. `tell` is one of

- `always`: every report of the event is passed on (the back office checks its own
  register: who holds a Blue Badge is not in OneStop);
- `service`: only when someone in the person's household receives the service (garden
  waste subscribers, permit holders: `people.queries.services_received`);
- `benefit:<award>`: only when someone in the household has that benefit award
  (`people.BenefitAward`, e.g. `benefit:housing_benefit`).

A bad file is refused as a whole, with the row (line number) that is wrong: a half-read
map would quietly leave a back office untold. See docs/life-events.md for its review.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from onestop.people.models import BenefitAward

DATA_FILE = Path(__file__).parent / "data" / "event_services.csv"
COLUMNS = ("event", "lgsl", "tell", "why")
WHY_MAX = 300


class EventKind:
    """The kinds of life event, in the order pages list them."""

    BIRTH = "birth"
    DEATH = "death"
    MOVING_IN = "moving_in"
    MOVING_OUT = "moving_out"
    MOVING_WITHIN = "moving_within"
    CHANGE_OF_NAME = "change_of_name"
    DISABILITY = "disability"
    BECOMING_CARER = "becoming_carer"
    TURNING_18 = "turning_18"

    choices = [
        (BIRTH, "A birth"),
        (DEATH, "A death"),
        (MOVING_IN, "Moving into the area"),
        (MOVING_OUT, "Moving out of the area"),
        (MOVING_WITHIN, "Moving home within the area"),
        (CHANGE_OF_NAME, "A change of name"),
        (DISABILITY, "A sudden disability"),
        (BECOMING_CARER, "Becoming a carer"),
        (TURNING_18, "Turning 18"),
    ]
    values = [value for value, _ in choices]
    labels = dict(choices)


class MappingError(ValueError):
    """The event-to-service file cannot be used; the message names the row and why."""


@dataclass(frozen=True)
class AffectedService:
    event: str
    lgsl: int
    tell: str  # "always", "service" or "benefit:<award>"
    why: str
    line: int

    @property
    def benefit(self) -> str:
        return self.tell.partition(":")[2] if self.tell.startswith("benefit:") else ""


def parse(text: str, *, source: str = "event_services.csv") -> dict[str, list[AffectedService]]:
    """The rows of the file by event kind, in file order; MappingError names a bad row."""
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise MappingError(f"{source}: the header must be {','.join(COLUMNS)}, "
                           f"not {','.join(reader.fieldnames or ())!r}")
    by_event: dict[str, list[AffectedService]] = {kind: [] for kind in EventKind.values}
    seen: set[tuple[str, int]] = set()
    for row in reader:
        line = reader.line_num
        where = f"{source} line {line}"
        if None in row or any(value is None for value in row.values()):
            raise MappingError(f"{where}: expected {len(COLUMNS)} columns "
                               f"({', '.join(COLUMNS)})")
        event, lgsl_text, tell, why = (row[c].strip() for c in COLUMNS)
        if event not in by_event:
            raise MappingError(f"{where}: event {event!r} is not one of "
                               f"{', '.join(EventKind.values)}")
        if not lgsl_text.isdecimal() or len(lgsl_text) > 6:
            raise MappingError(f"{where}: lgsl {lgsl_text!r} is not an LGSL number")
        lgsl = int(lgsl_text)
        if (event, lgsl) in seen:
            raise MappingError(f"{where}: {event} lists LGSL {lgsl} twice")
        seen.add((event, lgsl))
        if tell not in ("always", "service") and not (
                tell.startswith("benefit:") and tell[8:] in BenefitAward.Benefit.values):
            raise MappingError(f"{where}: tell {tell!r} must be always, service or "
                               f"benefit:<one of {', '.join(BenefitAward.Benefit.values)}>")
        if not why:
            raise MappingError(f"{where}: why is empty; say what changes for the service")
        if len(why) > WHY_MAX:
            raise MappingError(f"{where}: why is {len(why)} characters; at most {WHY_MAX}")
        by_event[event].append(AffectedService(event=event, lgsl=lgsl, tell=tell, why=why,
                                               line=line))
    empty = [kind for kind, rows in by_event.items() if not rows]
    if empty:
        raise MappingError(f"{source}: no service is listed for {', '.join(empty)}")
    return by_event


@lru_cache(maxsize=1)
def event_services() -> dict[str, list[AffectedService]]:
    """The shipped map, read once per process."""
    return parse(DATA_FILE.read_text(encoding="utf-8"), source=DATA_FILE.name)


def services_for(kind: str, mapping: dict[str, list[AffectedService]] | None = None):
    """The affected services of `kind` as (row, catalogue Service) pairs, in file order.

    Every LGSL must be in the catalogue: an unknown one raises MappingError naming its
    row (a typo in the file, or a catalogue not loaded), rather than telling fewer back
    offices than the reviewers meant.
    """
    from onestop.catalogue.models import Service

    rows = (mapping or event_services())[kind]
    found = {s.lgsl: s for s in Service.objects.filter(lgsl__in=[r.lgsl for r in rows])}
    for row in rows:
        if row.lgsl not in found:
            raise MappingError(f"{DATA_FILE.name} line {row.line}: {row.event} lists LGSL "
                               f"{row.lgsl}, which is not in the service catalogue")
    return [(row, found[row.lgsl]) for row in rows]


def check_against_catalogue(mapping: dict[str, list[AffectedService]] | None = None) -> None:
    """Every row of every event resolves to a catalogue service (MappingError if not)."""
    for kind in EventKind.values:
        services_for(kind, mapping)
