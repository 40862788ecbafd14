"""Source records and scored pairs made directly, for tests of what reads and shows them.

The importer and the linkage run have their own tests; here a test states exactly the
records and pairs it needs. Values are given in standardised form (lower-case names and
addresses, canonical postcodes), as the importer would store them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

from django.utils import timezone

from onestop.matching.models import ExtractImport, LinkageRun, RecordPair, SourceRecord

_references = itertools.count(10_001)

DEFAULT_EXPLANATION = [
    {"comparison": "Given name", "level": "Nicknames of one name", "weight": 3.7},
    {"comparison": "Family name", "level": "Exact match", "weight": 8.1},
    {"comparison": "Date of birth", "level": "Different", "weight": -6.2},
    {"comparison": "Postcode", "level": "Exact match", "weight": 5.0},
]


def an_extract_import(source: str = "council_tax", *, started_at: dt.datetime | None = None
                      ) -> ExtractImport:
    started_at = started_at or timezone.now()
    return ExtractImport.objects.create(source=source, file_name=f"{source}.csv",
                                        file_sha256="0" * 64, started_at=started_at,
                                        finished_at=started_at)


def a_source_record(source: str = "council_tax", *, person=None, reference: str | None = None,
                    given_name: str = "margaret", family_name: str = "okafor",
                    middle_names: str = "", title: str = "",
                    date_of_birth: dt.date | None = dt.date(1958, 3, 14),
                    address: str = "12 station road", postcode: str = "IP14 1AB",
                    uprn: int | None = None, national_insurance_number: str = "",
                    phone: str = "", email: str = "", attributes: dict | None = None,
                    seen: ExtractImport | None = None, retired: bool = False) -> SourceRecord:
    seen = seen or an_extract_import(source)
    reference = reference or f"{source[:2].upper()}-{next(_references)}"
    return SourceRecord.objects.create(
        source=source, reference=reference, person=person, title=title,
        given_name=given_name, middle_names=middle_names, family_name=family_name,
        name_group=given_name, date_of_birth=date_of_birth,
        national_insurance_number=national_insurance_number, phone=phone, email=email,
        address=address, postcode=postcode, uprn=uprn, attributes=attributes or {},
        raw={"reference": reference}, row_hash=reference, first_seen=seen, last_seen=seen,
        retired_at=timezone.now() if retired else None)


def a_linkage_run() -> LinkageRun:
    return LinkageRun.objects.create(mode=LinkageRun.Mode.FULL, link_threshold=0.9,
                                     review_threshold=0.5, finished_at=timezone.now())


def a_pair(first: SourceRecord, second: SourceRecord, *, probability: float = 0.7,
           band: str = RecordPair.Band.REVIEW, explanation: list | None = None,
           run: LinkageRun | None = None) -> RecordPair:
    """A scored pair of two records, in either order; the weight follows the probability."""
    left, right = sorted((first, second), key=lambda record: record.pk)
    return RecordPair.objects.create(
        left=left, right=right, match_probability=probability,
        match_weight=round(math.log2(probability / (1 - probability)), 2), band=band,
        explanation=DEFAULT_EXPLANATION if explanation is None else explanation,
        run=run or a_linkage_run())
