"""Councils, their tiers, and shared services that serve several of them."""

from __future__ import annotations

from django.db import models


class Authority(models.Model):
    """A council. In a two-tier area a district has a parent county."""

    class Tier(models.TextChoices):
        COUNTY = "county", "County"
        DISTRICT = "district", "District"
        UNITARY = "unitary", "Unitary"

    # The identifier of GOV.UK's local-links-manager list, kept so that reloads match rows.
    code = models.PositiveIntegerField(unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    gss = models.CharField("GSS code", max_length=9, blank=True)
    snac = models.CharField("SNAC code", max_length=4, blank=True)
    local_custodian_code = models.PositiveIntegerField(null=True, blank=True)
    tier = models.CharField(max_length=8, choices=Tier.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="districts"
    )
    country = models.CharField(max_length=40)
    homepage_url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return self.name


class SharedService(models.Model):
    """A contact centre that serves several authorities (e.g. a county and its districts)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    authorities = models.ManyToManyField(Authority, related_name="shared_services")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
