"""Every write of the rights context: a subject access export (audited and logged) and the
application of the retention policy (onestop.rights.retention)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from onestop.core.actions import do_record_access, do_record_audit_event
from onestop.core.models import AuditEvent
from onestop.core.refusals import AccessRefused
from onestop.people.models import Person
from onestop.rights import retention
from onestop.rights.queries import subject_access_refusal
from onestop.rights.subject_access import section_counts, subject_access_record

__all__ = ["FORMATS", "SubjectAccessDenied", "do_apply_retention", "do_check_subject_access",
           "do_export_subject_access", "do_export_subject_access_as_operator"]

FORMATS = ("json", "html")
PURPOSE = "subject access"


class SubjectAccessDenied(AccessRefused):
    """The user may not export this resident's record: a 403, which the refusal log
    (onestop.core.refusals) writes to the access log with purpose "subject access"."""


@dataclass(frozen=True)
class SubjectAccessExport:
    person: Person
    form: str
    record: dict[str, Any]


def _check_form(form: str) -> None:
    if form not in FORMATS:
        raise ValueError(f"format {form!r} is not one of {', '.join(FORMATS)}")


def _audit(person: Person, form: str, record: dict[str, Any], *, actor=None,
           claimed_identity: str = "", terminal: str = "") -> None:
    counts = section_counts(record)
    do_record_audit_event(
        AuditEvent.Kind.SUBJECT_ACCESS, actor=actor, claimed_identity=claimed_identity,
        terminal=terminal, detail=f"person {person.pk} exported as {form}",
        after={"person": person.pk, "format": form, "sections": counts})


def do_check_subject_access(user, person: Person | None, *, person_id: int) -> None:
    """Refuse (SubjectAccessDenied) anyone `subject_access_refusal` gives a reason for.
    `person` is None when no resident has `person_id`."""
    reason = subject_access_refusal(user, person)
    if reason is not None:
        raise SubjectAccessDenied(reason, person=person, subject=f"person {person_id}",
                                  purpose=PURPOSE)


def do_export_subject_access(user, person: Person, *, form: str, path: str = "",
                             terminal: str = "") -> SubjectAccessExport:
    """Everything held about `person`, for an administrator who may see them.

    Refused (SubjectAccessDenied, logged) for anyone else. Granted, the export is a view of
    the record with purpose "subject access" in the access log (so the file lists itself)
    and an audit event naming the person, the format and how many records of each kind
    went; both are written with the gathering, in one transaction.
    """
    _check_form(form)
    do_check_subject_access(user, person, person_id=person.pk)
    with transaction.atomic():
        do_record_access(user=user, person=person, granted=True, purpose=PURPOSE,
                         subject=f"person {person.pk}", path=path)
        record = subject_access_record(person.pk, produced_by=_produced_by(user))
        _audit(person, form, record, actor=user, terminal=terminal)
    return SubjectAccessExport(person, form, record)


@transaction.atomic
def do_export_subject_access_as_operator(person: Person, *, form: str, operator: str
                                         ) -> SubjectAccessExport:
    """The same export for an installation's data-protection officer at the command line,
    where there is no member of staff to check: whoever can run commands on the server
    already holds the whole database. `operator` (the account that ran it) is audited."""
    _check_form(form)
    record = subject_access_record(person.pk, produced_by=f"command line ({operator})")
    _audit(person, form, record, claimed_identity=operator, terminal="command line")
    return SubjectAccessExport(person, form, record)


def _produced_by(user) -> str:
    return user.get_full_name() or user.username


def do_apply_retention(policy: retention.Policy, *, today: dt.date, dry_run: bool = False,
                       batch_size: int = retention.BATCH_SIZE) -> dict[str, int]:
    """Delete or anonymise every record past its retention period on `today`.

    Works kind by kind in batches, each batch its own transaction, so a failure half-way
    leaves every batch done whole and the rest untouched; a second run finds nothing to do.
    Returns the count per kind (what a run would do, with `dry_run`, which changes nothing).
    A real run records one audit event (retention_applied) with the counts, even when they
    are all 0, so the trail shows the policy was applied that day.
    """
    counts = {rule.kind.name: (rule.count(today) if dry_run else rule.apply(today, batch_size))
              for rule in policy.rules}
    if not dry_run:
        done = ", ".join(f"{kind} {count}" for kind, count in counts.items() if count)
        do_record_audit_event(
            AuditEvent.Kind.RETENTION_APPLIED, terminal="command line",
            detail=f"retention applied on {today.isoformat()}: {done or 'nothing due'}",
            after={"today": today.isoformat(), "policy": str(policy.path), "counts": counts})
    return counts
