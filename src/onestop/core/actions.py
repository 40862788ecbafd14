"""Writes to the audit trail. Called by other contexts' actions, never by views."""

from __future__ import annotations

from django.http import HttpRequest

from onestop.core.models import AuditEvent, RecordAccess


def terminal_of(request: HttpRequest | None) -> str:
    """A short description of the terminal a request came from, for the audit trail."""
    if request is None:
        return ""
    address = request.META.get("REMOTE_ADDR", "")
    agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    return f"{address} {agent}".strip()[:255]


def do_record_audit_event(kind: str, *, user=None, claimed_identity: str = "",
                          terminal: str = "", detail: str = "", actor=None,
                          before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """`user` is whom the event is about; `actor` who caused it when that is someone else;
    `before` and `after` the values a change replaced and set (JSON-serialisable)."""
    return AuditEvent.objects.create(kind=kind, user=user, claimed_identity=claimed_identity[:150],
                                     terminal=terminal[:255], detail=detail[:255], actor=actor,
                                     before=before or {}, after=after or {})


def do_record_access(*, user, person, granted: bool, contact=None, purpose: str = "",
                     subject: str = "", path: str = "") -> RecordAccess:
    return RecordAccess.objects.create(user=user, person=person, granted=granted,
                                       contact=contact, purpose=purpose[:64],
                                       subject=subject[:80], path=path[:255])
