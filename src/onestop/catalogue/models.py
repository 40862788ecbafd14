"""The service catalogue: LGSL services and the esd function list."""

from __future__ import annotations

from django.db import models


class ProvidingTier(models.TextChoices):
    """Which tier of council provides a service, in the LGSL tier file's own words."""

    COUNTY_UNITARY = "county/unitary", "County or unitary"
    DISTRICT_UNITARY = "district/unitary", "District or unitary"
    ALL = "all", "All tiers"


class Function(models.Model):
    """A grouping of services in the esd function list."""

    identifier = models.PositiveIntegerField(unique=True)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Service(models.Model):
    """A council service, identified by its LGSL number."""

    class TierSource(models.TextChoices):
        OFFICIAL = "official", "GOV.UK tier file"
        MAPPING = "mapping", "OneStop's reviewed mapping"

    lgsl = models.PositiveIntegerField("LGSL", unique=True)
    label = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    providing_tier = models.CharField(max_length=16, choices=ProvidingTier.choices)
    tier_source = models.CharField(max_length=8, choices=TierSource.choices)
    tier_basis = models.CharField(max_length=120, blank=True)
    # Shown on every person page with who provides it at the person's address; ordered.
    common_rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return f"{self.label} (LGSL {self.lgsl})"
