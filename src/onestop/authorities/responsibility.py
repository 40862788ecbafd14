"""Who provides a service at an address, derived from the address's authorities.

A property lies in one unitary authority, or in a district and its county. A service's
providing tier (from the LGSL catalogue) picks among them: county/unitary services come
from the county (or unitary), district/unitary ones from the district (or unitary). A
service every tier may provide ("all") is answered by the most local authority, which is
where a resident would start.
"""

from __future__ import annotations

from collections.abc import Iterable

from onestop.authorities.models import Authority
from onestop.catalogue.models import ProvidingTier

Tier = Authority.Tier
ELIGIBLE_TIERS = {
    ProvidingTier.COUNTY_UNITARY: (Tier.COUNTY, Tier.UNITARY),
    ProvidingTier.DISTRICT_UNITARY: (Tier.DISTRICT, Tier.UNITARY),
    ProvidingTier.ALL: (Tier.DISTRICT, Tier.UNITARY, Tier.COUNTY),
}


class NoProvider(Exception):
    """None of the property's authorities is of a tier that provides the service."""


def providing_authority(providing_tier: str, authorities: Iterable[Authority]) -> Authority:
    """The authority, among those a property lies in, that provides a service of that tier.

    Tiers are tried in the order above, so "all" prefers the district to the county.
    """
    by_tier = {authority.tier: authority for authority in authorities}
    for tier in ELIGIBLE_TIERS[ProvidingTier(providing_tier)]:
        if tier in by_tier:
            return by_tier[tier]
    found = ", ".join(f"{a.name} ({a.tier})" for a in by_tier.values()) or "no authority"
    raise NoProvider(f"no {providing_tier} authority among {found}")
