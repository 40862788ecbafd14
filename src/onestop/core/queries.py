"""Reads of the audit trail for administrators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from onestop.core.models import RecordAccess
from onestop.people.access import visible_people


@dataclass(frozen=True)
class AccessSearch:
    username: str = ""
    person_id: int | None = None
    granted: bool | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def search_record_access(search: AccessSearch, viewer) -> QuerySet[RecordAccess]:
    """Entries `viewer` may read: about residents they may see, and refusals naming no
    resident by staff who act for one of their authorities."""
    accesses = RecordAccess.objects.select_related("user", "person", "contact")
    if not viewer.is_superuser:
        accesses = accesses.filter(
            Q(person__in=visible_people(viewer))
            | Q(person__isnull=True, user__authorities__in=viewer.authority_ids())).distinct()
    if search.username:
        accesses = accesses.filter(user__username__iexact=search.username.strip())
    if search.person_id is not None:
        accesses = accesses.filter(person_id=search.person_id)
    if search.granted is not None:
        accesses = accesses.filter(granted=search.granted)
    if search.since:
        accesses = accesses.filter(at__date__gte=search.since)
    if search.until:
        accesses = accesses.filter(at__date__lte=search.until)
    return accesses.order_by("-at", "-id")
