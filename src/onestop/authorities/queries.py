"""Reads about authorities that views, the API and commands share."""

from __future__ import annotations

from onestop.authorities.models import Authority
from onestop.authorities.responsibility import NoProvider, providing_authority
from onestop.catalogue.models import Service
from onestop.people.models import Property


class UnknownProperty(LookupError):
    """No property has the UPRN asked about."""


class UnknownService(LookupError):
    """No service has the LGSL number asked about."""


def who_provides(lgsl: int, uprn: int) -> tuple[Service, Property, Authority]:
    """Answer "who provides service `lgsl` at the property with `uprn`"."""
    try:
        service = Service.objects.get(lgsl=lgsl)
    except Service.DoesNotExist:
        raise UnknownService(f"no service with LGSL {lgsl}") from None
    try:
        prop = Property.objects.prefetch_related("authorities").get(uprn=uprn)
    except Property.DoesNotExist:
        raise UnknownProperty(f"no property with UPRN {uprn}") from None
    return service, prop, providing_authority(service.providing_tier, prop.authorities.all())


def providers_at(prop: Property, services) -> list[tuple[Service, Authority | None]]:
    """Each service with the authority that provides it at `prop` (None if no tier fits).

    Reads the property's authorities once (prefetched where the caller did so).
    """
    authorities = list(prop.authorities.all())
    answers = []
    for service in services:
        try:
            answers.append((service, providing_authority(service.providing_tier, authorities)))
        except NoProvider:
            answers.append((service, None))
    return answers
