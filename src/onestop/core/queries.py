"""Reads of the audit trail for administrators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from onestop.core.models import RecordAccess


@dataclass(frozen=True)
class AccessSearch:
    username: str = ""
    person_id: int | None = None
    granted: bool | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def search_record_access(search: AccessSearch) -> QuerySet[RecordAccess]:
    accesses = RecordAccess.objects.select_related("user", "person", "contact")
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
