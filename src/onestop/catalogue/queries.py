"""Reads of the service catalogue shared by the desktop and the API."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from onestop.catalogue.models import Service


def search_services(query: str) -> QuerySet[Service]:
    """Services whose LGSL number is the query, or that have every word of it.

    Label matches rank before description-only matches, so "garden waste" finds
    "Household garden waste" before services that only mention it.
    """
    query = query.strip()
    services = Service.objects.all()
    if not query:
        return services.order_by("label")
    if query.isdecimal() and len(query) < 10:
        return services.filter(lgsl=int(query))
    in_label, anywhere = Q(), Q()
    for word in query.split():
        in_label &= Q(label__icontains=word)
        anywhere &= Q(label__icontains=word) | Q(description__icontains=word)
    rank = Case(When(in_label, then=Value(0)), default=Value(1), output_field=IntegerField())
    return services.filter(anywhere).annotate(rank=rank).order_by("rank", "label")


def services_of_interest() -> QuerySet[Service]:
    return Service.objects.filter(common_rank__isnull=False).order_by("common_rank")
