from __future__ import annotations

from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "onestop.catalogue"
    label = "catalogue"
    verbose_name = "Service catalogue"
