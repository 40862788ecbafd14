"""Source records as a columnar table for DuckDB: the linkage model's input.

Blank values become NULL, which Splink scores as "no evidence" rather than a disagreement.
Derived columns (postcode sector and district, initial, house number) are computed here
once rather than in every comparison.

A household's previous home is a fact of the property: when one system (council tax's
move-in form) says the people now at a UPRN came from an address, every record at that
UPRN carries it as `previous_postcode` and `previous_house_number`. So the electoral
register entry a mover left behind at the old address can meet their benefits claim at the
new one, whichever system was told of the move.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from onestop.matching.models import SourceRecord
from onestop.matching.standardise import house_number

COLUMNS = ("unique_id", "source", "given_name", "given_initial", "name_group", "family_name",
           "date_of_birth", "national_insurance_number", "phone", "email", "address",
           "house_number", "postcode", "postcode_sector", "postcode_district", "uprn",
           "previous_postcode", "previous_house_number")
READ_FIELDS = ("pk", "source", "given_name", "name_group", "family_name", "date_of_birth",
               "national_insurance_number", "phone", "email", "address", "postcode", "uprn")
CHUNK = 5000


def active_records() -> Iterable[SourceRecord]:
    return SourceRecord.objects.filter(retired_at__isnull=True)


def previous_homes() -> dict[int, tuple[str, str]]:
    """UPRN → (postcode, house number) of where its present occupants lived before."""
    homes: dict[int, tuple[str, str]] = {}
    # Oldest first, so the latest account's move-in form wins where a home changed hands.
    for uprn, address, postcode in (active_records().exclude(previous_postcode="")
                                    .filter(uprn__isnull=False).order_by("pk")
                                    .values_list("uprn", "previous_address",
                                                 "previous_postcode")
                                    .iterator(chunk_size=CHUNK)):
        homes[uprn] = (postcode, house_number(address))
    return homes


def records_table(records, before: dict[int, tuple[str, str]] | None = None) -> pa.Table:
    """`records` (a SourceRecord queryset) as an Arrow table with COLUMNS; `before` is
    `previous_homes()`, read here unless given."""
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    before = previous_homes() if before is None else before
    for (pk, source, given, group, family, born, nino, phone, email, address, postcode,
         uprn) in records.values_list(*READ_FIELDS).iterator(chunk_size=CHUNK):
        outward, _, inward = postcode.partition(" ")
        previous_postcode, previous_number = before.get(uprn, ("", ""))
        row = {
            "unique_id": pk, "source": source, "given_name": given or None,
            "given_initial": given[:1] or None, "name_group": group or None,
            "family_name": family or None,
            "date_of_birth": born.isoformat() if born else None,
            "national_insurance_number": nino or None, "phone": phone or None,
            "email": email or None, "address": address or None,
            "house_number": house_number(address) or None, "postcode": postcode or None,
            "postcode_sector": f"{outward} {inward[:1]}" if inward else None,
            "postcode_district": outward or None, "uprn": str(uprn) if uprn else None,
            "previous_postcode": previous_postcode or None,
            "previous_house_number": previous_number or None,
        }
        for name in COLUMNS:
            columns[name].append(row[name])
    schema = pa.schema([(name, pa.int64() if name == "unique_id" else pa.string())
                        for name in COLUMNS])
    return pa.table(columns, schema=schema)
