"""How long OneStop keeps each kind of record, and what it does with one past its period.

The periods and the reasons for them are data (`retention.toml` beside this module, or an
installation's own file in the same form; docs/retention.md). What happens to a record past
its period is decided here, per kind, by what refers to it: a closed case is still named by
contacts' baskets and life-event notices (PROTECT), so it is anonymised, keeping what the
statistics count (service, authority, team, kind, status, dates, rating) and dropping the
person, the address, every word written and the feedback; a contact likewise keeps its
channel, dates, outcome and services and drops the resident, the notes and the answers.
Rows nothing refers to (access-log entries, quarantined extract rows, self-service reports,
audit events) are deleted; a delivered outbox message is deleted unless a life event names
it, in which case its payload is emptied.

Each kind is worked in batches of ids, each batch one transaction that re-applies the
kind's test, so a run stopped half-way leaves every batch whole, and a record once treated
no longer matches: a second run finds nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from onestop.cases.models import Case, CaseEvent, Feedback
from onestop.contacts.models import Contact, ContactService, WorkSession
from onestop.core.datafiles import DataFileError
from onestop.core.models import AuditEvent, RecordAccess
from onestop.integrations.models import DeliveryAttempt, OutboxMessage
from onestop.lifeevents.models import LifeEvent, LifeEventNotice, SelfServiceReport
from onestop.matching.models import QuarantinedRow

SHIPPED_POLICY = Path(__file__).with_name("retention.toml")
BATCH_SIZE = 500
# What stands in the place of an anonymised case's title and contact's notes: readers see
# why the text is gone, and a record carrying it is not anonymised twice.
REMOVED = "[removed at the end of its retention period]"
REMOVED_KEY = "removed"
REMOVED_PAYLOAD = {REMOVED_KEY: REMOVED}

PERIOD = re.compile(r"(\d{1,5}) (day|days|year|years)")
MAX_DAYS, MAX_YEARS = 36_500, 100


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # "days" or "years"

    def __str__(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"

    def start_of_keeping(self, today: dt.date) -> dt.datetime:
        """The moment (local midnight) before which a record is past this period on `today`:
        a record is kept for the whole period counted from the day after its own date."""
        if self.unit == "days":
            day = today - dt.timedelta(days=self.amount)
        else:
            year = today.year - self.amount
            # 29 February has no twin in most years: keep to the 28th.
            day = today.replace(year=year, day=min(today.day, 28)) \
                if (today.month, today.day) == (2, 29) else today.replace(year=year)
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _period(path: Path, name: str, value) -> Period:
    if not isinstance(value, str) or not (match := PERIOD.fullmatch(value.strip())):
        raise DataFileError(path, f"{value!r} is not a period like \"90 days\" or "
                                  "\"6 years\"", field=f"{name}.keep")
    amount, unit = int(match[1]), match[2] if match[2].endswith("s") else match[2] + "s"
    largest = MAX_DAYS if unit == "days" else MAX_YEARS
    if not 1 <= amount <= largest:
        raise DataFileError(path, f"{value!r}: a period is 1 to {largest} {unit}",
                            field=f"{name}.keep")
    return Period(amount, unit)


# --- what happens to each kind -------------------------------------------------------------


def _delete(model) -> Callable[[QuerySet], int]:
    def treat(batch: QuerySet) -> int:
        ids = list(batch.values_list("pk", flat=True))
        _, per_model = model.objects.filter(pk__in=ids).delete()
        return per_model.get(model._meta.label, 0)
    return treat


def _due_cases(before: dt.datetime) -> QuerySet:
    return Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=before) \
        .exclude(title=REMOVED)


def _anonymise_cases(batch: QuerySet) -> int:
    ids = list(batch.values_list("pk", flat=True))
    Feedback.objects.filter(case_id__in=ids).delete()
    CaseEvent.objects.filter(case_id__in=ids).update(note="")
    return Case.objects.filter(pk__in=ids).update(
        person=None, property=None, title=REMOVED, details=[], response="",
        requester_name="", requester_email="", requester_phone="", requester_address="",
        rating_comment="")


def _due_contacts(before: dt.datetime) -> QuerySet:
    return Contact.objects.filter(ended_at__lt=before).exclude(notes=REMOVED)


def _anonymise_contacts(batch: QuerySet) -> int:
    ids = list(batch.values_list("pk", flat=True))
    items = list(ContactService.objects.filter(contact_id__in=ids).only("pk", "run"))
    for item in items:
        # The run keeps its shape (and the outcome it reached) for the pages that read it.
        item.run = {**(item.run if isinstance(item.run, dict) else {}), "answers": {}}
    ContactService.objects.bulk_update(items, ["run"])
    WorkSession.objects.filter(contact_id__in=ids).update(notes="")
    return Contact.objects.filter(pk__in=ids).update(
        person=None, notes=REMOVED, requester_name="", requester_email="",
        requester_phone="", requester_property=None)


def _named_by_a_life_event() -> Q:
    return Q(Exists(LifeEvent.objects.filter(confirmation=OuterRef("pk")))) | Q(
        Exists(LifeEventNotice.objects.filter(outbox_message=OuterRef("pk"))))


def _due_messages(before: dt.datetime) -> QuerySet:
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.DELIVERED,
                                        delivered_at__lt=before) \
        .exclude(payload__has_key=REMOVED_KEY)


def _remove_messages(batch: QuerySet) -> int:
    ids = list(batch.values_list("pk", flat=True))
    named = OutboxMessage.objects.filter(pk__in=ids).filter(_named_by_a_life_event())
    named_ids = list(named.values_list("pk", flat=True))
    DeliveryAttempt.objects.filter(message_id__in=named_ids).delete()
    emptied = OutboxMessage.objects.filter(pk__in=named_ids).update(payload=REMOVED_PAYLOAD)
    _, per_model = OutboxMessage.objects.filter(pk__in=ids).exclude(pk__in=named_ids).delete()
    return emptied + per_model.get(OutboxMessage._meta.label, 0)


def _reports(status: str, field: str) -> Callable[[dt.datetime], QuerySet]:
    return lambda before: SelfServiceReport.objects.filter(status=status,
                                                           **{f"{field}__lt": before})


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    action: str  # what a run does to one: "deleted" or "anonymised"
    due: Callable[[dt.datetime], QuerySet]  # the records past the period starting then
    treat: Callable[[QuerySet], int]  # delete or anonymise a batch; how many it did


KINDS = (
    Kind("closed_cases", "closed cases", "anonymised", _due_cases, _anonymise_cases),
    Kind("contacts", "ended contacts", "anonymised", _due_contacts, _anonymise_contacts),
    Kind("access_log", "access-log entries", "deleted",
         lambda before: RecordAccess.objects.filter(at__lt=before), _delete(RecordAccess)),
    Kind("quarantined_rows", "quarantined extract rows", "deleted",
         lambda before: QuarantinedRow.objects.filter(extract_import__started_at__lt=before),
         _delete(QuarantinedRow)),
    Kind("self_service_reports_held", "self-service reports never checked", "deleted",
         _reports(SelfServiceReport.Status.REPORTED, "reported_at"),
         _delete(SelfServiceReport)),
    Kind("self_service_reports_confirmed", "confirmed self-service reports", "deleted",
         _reports(SelfServiceReport.Status.CONFIRMED, "decided_at"),
         _delete(SelfServiceReport)),
    Kind("self_service_reports_dropped", "dropped self-service reports", "deleted",
         _reports(SelfServiceReport.Status.DROPPED, "decided_at"),
         _delete(SelfServiceReport)),
    Kind("delivered_messages", "delivered outbox messages", "deleted or emptied",
         _due_messages, _remove_messages),
    Kind("audit_events", "audit events", "deleted",
         lambda before: AuditEvent.objects.filter(at__lt=before), _delete(AuditEvent)),
)
KIND_NAMES = tuple(kind.name for kind in KINDS)


@dataclass(frozen=True)
class Rule:
    """One kind of record, how long it is kept and why."""

    kind: Kind
    period: Period
    reason: str

    def due(self, today: dt.date) -> QuerySet:
        return self.kind.due(self.period.start_of_keeping(today))

    def count(self, today: dt.date) -> int:
        return self.due(today).count()

    def apply(self, today: dt.date, batch_size: int = BATCH_SIZE) -> int:
        """Treat every record past the period, `batch_size` at a time; how many were."""
        done = 0
        while True:
            with transaction.atomic():
                ids = list(self.due(today).order_by("pk").values_list("pk", flat=True)
                           [:batch_size])
                if not ids:
                    return done
                # Locked and checked again: a case reopened since the ids were read is
                # no longer past its period, and is left alone.
                batch = self.due(today).filter(pk__in=ids).select_for_update(of=("self",))
                treated = self.kind.treat(batch)
                if treated == 0:
                    # Nothing changed, so the same batch would come back for ever.
                    raise RuntimeError(f"retention of {self.kind.name} made no progress on "
                                       f"ids {ids[:5]}…")
                done += treated


@dataclass(frozen=True)
class Policy:
    path: Path
    rules: tuple[Rule, ...]


def load_policy(path: Path = SHIPPED_POLICY) -> Policy:
    """The retention policy in `path`; DataFileError names the entry that is wrong.

    Every kind must have an entry (a period left out would otherwise keep records for
    ever without anyone having decided so), each with `keep` and `reason` and nothing else.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(path, "file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(path, f"cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(path, f"is not valid TOML: {error}") from None
    unknown = [name for name in data if name not in KIND_NAMES]
    if unknown:
        raise DataFileError(path, f"is not a kind of record OneStop keeps (kinds: "
                                  f"{', '.join(KIND_NAMES)})", field=unknown[0])
    rules = []
    for kind in KINDS:
        entry = data.get(kind.name)
        if entry is None:
            raise DataFileError(path, "is missing: every kind of record needs a period",
                                field=kind.name)
        if not isinstance(entry, dict):
            raise DataFileError(path, "must be a table with keep and reason",
                                field=kind.name)
        if extra := sorted(set(entry) - {"keep", "reason"}):
            raise DataFileError(path, f"unknown key(s) {', '.join(extra)}; an entry has "
                                      "keep and reason", field=kind.name)
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise DataFileError(path, "give the reason for the period, in words",
                                field=f"{kind.name}.reason")
        rules.append(Rule(kind, _period(path, kind.name, entry.get("keep")), reason.strip()))
    return Policy(path, tuple(rules))
