"""Which council holds each source record: the profile's `held_by`, narrowed by address.

A system such as a shared revenues and benefits service is held by several councils; a
record in it is the business of the council its address lies in (by its UPRN, else its
postcode, which the register places in one district), not of every partner,
so each record gets one holder. Worked out set-based after each import, in its
transaction, for the records the file holds.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from onestop.authorities.models import Authority
from onestop.matching.models import ExtractImport, SourceRecord
from onestop.matching.profiles import SourceProfile
from onestop.people.models import Property


class UnknownHolder(ValueError):
    """A profile's `held_by` names an authority that is not loaded."""


def holder_ids(profile: SourceProfile) -> list[int]:
    """The ids of the profile's holders, in its order; UnknownHolder names any missing."""
    found = dict(Authority.objects.filter(slug__in=profile.held_by).values_list("slug", "id"))
    missing = [slug for slug in profile.held_by if slug not in found]
    if missing:
        raise UnknownHolder(f"the {profile.name} profile's held_by names "
                            f"{', '.join(repr(slug) for slug in missing)}, not an authority "
                            f"OneStop knows (onestop load_reference loads them)")
    return [found[slug] for slug in profile.held_by]


def assign_holders(extract_import: ExtractImport, holders: list[int]) -> None:
    """Set `held_by` on every record the import saw."""
    records = SourceRecord.objects.filter(last_seen=extract_import)
    if len(holders) <= 1:
        records.update(held_by_id=holders[0] if holders else None)
        return
    holding = Property.authorities.through.objects.filter(authority_id__in=holders) \
        .order_by("authority_id").values("authority_id")
    # The address's UPRN, else its postcode: a postcode lies in one district.
    records.update(held_by_id=Coalesce(
        Subquery(holding.filter(property__uprn=OuterRef("uprn"))[:1]),
        Subquery(holding.filter(property__postcode=OuterRef("postcode"))[:1])))
