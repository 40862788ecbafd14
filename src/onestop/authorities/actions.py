"""Every write to authorities goes through here."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from onestop.authorities.models import Authority, SharedService
from onestop.core.datafiles import read_csv
from onestop.core.loading import LoadSummary, upsert

# local-links-manager's tier_id column.
TIER_IDS = {"1": Authority.Tier.COUNTY, "2": Authority.Tier.DISTRICT, "3": Authority.Tier.UNITARY}
AUTHORITY_COLUMNS = ("id", "gss", "snac", "local_custodian_code", "tier_id",
                     "parent_local_authority_id", "slug", "country_name", "homepage_url", "name")


@transaction.atomic
def do_load_authorities(path: Path) -> LoadSummary:
    """Load UK local authorities from GOV.UK's local-links-manager file. Idempotent."""
    summary = LoadSummary("authorities")
    rows: dict[int, dict] = {}
    parents: dict[int, tuple[int, object]] = {}
    slugs: dict[str, int] = {}
    for row in read_csv(path, AUTHORITY_COLUMNS):
        code = row.integer("id")
        if code in rows:
            raise row.error("id", f"{code} appears twice")
        slug = row.text("slug", max_length=80)
        if slug in slugs:
            raise row.error("slug", f"{slug!r} is already used by authority {slugs[slug]}")
        slugs[slug] = code
        tier = row.choice("tier_id", TIER_IDS)
        parent = row.integer("parent_local_authority_id", required=False)
        if parent is not None:
            if tier != Authority.Tier.DISTRICT:
                raise row.error("parent_local_authority_id", "only a district has a parent")
            parents[code] = (parent, row)
        rows[code] = {
            "slug": slug,
            "name": row.text("name", max_length=120),
            "gss": row.text("gss", required=False, max_length=9),
            "snac": row.text("snac", required=False, max_length=4),
            "local_custodian_code": row.integer("local_custodian_code", required=False),
            "tier": tier,
            "country": row.text("country_name", max_length=40),
            "homepage_url": row.text("homepage_url", required=False, max_length=200),
        }
    for parent, row in parents.values():
        if rows.get(parent, {}).get("tier") != Authority.Tier.COUNTY:
            raise row.error("parent_local_authority_id", f"{parent} is not a county in the file")
    by_code = upsert(Authority, "code", rows, summary)
    relinked = []
    for code, obj in by_code.items():
        want = by_code[parents[code][0]].pk if code in parents else None
        if obj.parent_id != want:
            obj.parent_id = want
            relinked.append(obj)
    Authority.objects.bulk_update(relinked, ["parent"], batch_size=500)
    return summary


@transaction.atomic
def do_set_up_shared_service(slug: str, name: str, authority_slugs: list[str]) -> SharedService:
    """Create or update a shared service serving exactly the named authorities."""
    authorities = list(Authority.objects.filter(slug__in=authority_slugs))
    missing = sorted(set(authority_slugs) - {a.slug for a in authorities})
    if missing:
        raise ValueError(f"no authority with slug {', '.join(missing)}: load reference data first")
    shared, _ = SharedService.objects.update_or_create(slug=slug, defaults={"name": name})
    shared.authorities.set(authorities)
    return shared
