"""Every write to the service catalogue goes through here."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from onestop.catalogue.models import Function, ProvidingTier, Service
from onestop.core.datafiles import DataFileError, read_csv
from onestop.core.loading import LoadSummary, upsert

TIERS = tuple(ProvidingTier.values)


@transaction.atomic
def do_load_functions(path: Path) -> LoadSummary:
    """Load the esd function list; each function names at most one parent."""
    summary = LoadSummary("functions")
    rows: dict[int, dict] = {}
    parents: dict[int, tuple[int, object]] = {}
    for row in read_csv(path, ("Identifier", "Label", "Description", "Parent identifiers")):
        identifier = row.integer("Identifier")
        if identifier in rows:
            raise row.error("Identifier", f"{identifier} appears twice")
        rows[identifier] = {"label": row.text("Label", max_length=200),
                            "description": row.text("Description", required=False)}
        parent = row.integer("Parent identifiers", required=False)
        if parent is not None:
            parents[identifier] = (parent, row)
    for parent, row in parents.values():
        if parent not in rows:
            raise row.error("Parent identifiers", f"{parent} is not a function in the file")
    by_id = upsert(Function, "identifier", rows, summary)
    relinked = []
    for identifier, function in by_id.items():
        want = by_id[parents[identifier][0]].pk if identifier in parents else None
        if function.parent_id != want:
            function.parent_id = want
            relinked.append(function)
    Function.objects.bulk_update(relinked, ["parent"])
    return summary


def _read_tiers(path: Path, lgsl_column: str, tier_column: str,
                basis_column: str | None) -> dict[int, tuple[str, str, object]]:
    tiers: dict[int, tuple[str, str, object]] = {}
    columns = (lgsl_column, tier_column) + ((basis_column,) if basis_column else ())
    for row in read_csv(path, columns):
        lgsl = row.integer(lgsl_column)
        if lgsl in tiers:
            raise row.error(lgsl_column, f"LGSL {lgsl} appears twice")
        basis = row.text(basis_column, max_length=120) if basis_column else ""
        tiers[lgsl] = (row.choice(tier_column, TIERS), basis, row)
    return tiers


@transaction.atomic
def do_load_services(services_path: Path, official_tiers_path: Path, mapping_path: Path,
                     interest_path: Path) -> LoadSummary:
    """Load the LGSL services, each with exactly one providing tier.

    The official GOV.UK tier file wins; every other service must be in OneStop's reviewed
    mapping, and the mapping must not contradict or repeat the official file.
    """
    summary = LoadSummary("services")
    official = _read_tiers(official_tiers_path, "LGSL", "Providing Tier", None)
    mapped = _read_tiers(mapping_path, "lgsl", "providing_tier", "basis")
    rows: dict[int, dict] = {}
    for row in read_csv(services_path, ("Identifier", "Label", "Description")):
        lgsl = row.integer("Identifier")
        if lgsl in rows:
            raise row.error("Identifier", f"LGSL {lgsl} appears twice")
        if lgsl in official:
            tier, basis, source = official[lgsl][0], "", Service.TierSource.OFFICIAL
            if lgsl in mapped:
                raise mapped[lgsl][2].error("lgsl", f"LGSL {lgsl} has an official tier; "
                                            "remove it from the mapping")
        elif lgsl in mapped:
            tier, basis, _ = mapped[lgsl]
            source = Service.TierSource.MAPPING
        else:
            raise DataFileError(mapping_path, f"LGSL {lgsl} ({row.text('Label')}) has no "
                                "providing tier: add it to the mapping")
        rows[lgsl] = {"label": row.text("Label", max_length=255),
                      "description": row.text("Description", required=False),
                      "providing_tier": tier, "tier_source": source, "tier_basis": basis}
    for lgsl, (_, _, row) in mapped.items():
        if lgsl not in rows:
            raise row.error("lgsl", f"LGSL {lgsl} is not in {services_path.name}")
    orphans = sorted(set(official) - set(rows))
    if orphans:
        summary.notes.append(f"official tier file names LGSL {', '.join(map(str, orphans))}, "
                             "not in the service list: not loaded")
    ranks: dict[int, int] = {}
    for row in read_csv(interest_path, ("rank", "lgsl")):
        lgsl = row.integer("lgsl")
        if lgsl not in rows:
            raise row.error("lgsl", f"LGSL {lgsl} is not in {services_path.name}")
        ranks[lgsl] = row.integer("rank")
    for lgsl, values in rows.items():
        values["common_rank"] = ranks.get(lgsl)
    upsert(Service, "lgsl", rows, summary)
    return summary
