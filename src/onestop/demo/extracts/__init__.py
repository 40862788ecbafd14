"""Back-office extracts of the demo population, for the master index to link.

`write_extracts` writes one CSV per source, `ground_truth.csv` and `README.md`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from onestop.demo.extracts.base import Context, Extract
from onestop.demo.extracts.readme import render_readme
from onestop.demo.extracts.sources import BUILDERS
from onestop.demo.specs import Population

GROUND_TRUTH = "ground_truth.csv"
DEMO_SOURCES = tuple(build.__name__ for build in BUILDERS)


def build_extracts(population: Population, seed: int) -> list[Extract]:
    context = Context(population, seed)
    return [build(context) for build in BUILDERS]


def write_extracts(population: Population, folder: Path) -> dict[str, int]:
    """Write every extract to `folder`; returns the number of records of each source.

    The ground truth names each record's resident by the generator's number for them, so
    linkage can be scored against it without knowing anything the index made.
    """
    folder.mkdir(parents=True, exist_ok=True)
    extracts = build_extracts(population, population.seed)
    for extract in extracts:
        extract.write(folder)
    with (folder / GROUND_TRUTH).open("w", newline="", encoding="utf-8") as handle:
        # Input for scoring linkage (read_ground_truth), beside the extracts it describes:
        # source names, their record ids and numbers, written as the extracts are.
        writer = csv.writer(handle)
        writer.writerow(["source", "source_record_id", "resident"])
        for extract in extracts:
            writer.writerows((extract.source, record_id, index)
                             for record_id, index in extract.truth)
    (folder / "README.md").write_text(render_readme(population, extracts), encoding="utf-8")
    return {extract.source: len(extract.rows) for extract in extracts}


def read_ground_truth(folder: Path) -> dict[tuple[str, str], int]:
    """(source, source record id) → the generator's number of the resident it describes."""
    with (folder / GROUND_TRUTH).open(newline="", encoding="utf-8") as handle:
        return {(row["source"], row["source_record_id"]): int(row["resident"])
                for row in csv.DictReader(handle)}
