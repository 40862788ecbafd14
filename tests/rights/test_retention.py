"""Retention: every kind of record past its period is deleted or anonymised, nothing younger
is touched, a second run and a dry run change nothing, a bad policy is refused naming the
entry, and each run is audited with its counts."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from onestop.cases.actions import do_close_case, do_resolve_case
from onestop.cases.models import Case, CaseEvent, Feedback
from onestop.catalogue.models import Service
from onestop.contacts.actions import (
    do_abandon_contact,
    do_add_service,
    do_answer_page,
    do_log_contact,
    do_start_contact,
)
from onestop.contacts.models import Contact, ContactService
from onestop.core.actions import do_record_audit_event
from onestop.core.models import AuditEvent, RecordAccess
from onestop.integrations.models import DeliveryAttempt, OutboxMessage
from onestop.integrations.outbox import do_enqueue
from onestop.lifeevents.actions import (
    do_confirm_self_service_report,
    do_drop_self_service_report,
    do_hold_self_service_report,
    do_report_life_event,
)
from onestop.lifeevents.models import SelfServiceReport
from onestop.matching.models import QuarantinedRow
from onestop.people.actions import do_add_email, do_open_person_record
from onestop.rights import retention
from onestop.rights.actions import do_apply_retention
from onestop.rights.retention import REMOVED, SHIPPED_POLICY, load_policy
from tests.cases.factories import BINS, a_back_office_officer, a_case, a_team, at
from tests.matching.factories import an_extract_import
from tests.personas import a_resident, an_adviser

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
# Each report from another sender: the page takes five an hour from one.
_senders = itertools.count(1)


def ago(**delta) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


# Past and within each shipped period, with two days' margin either side.
OLD = {"years6": ago(days=6 * 366 + 2), "years2": ago(days=2 * 366 + 2),
       "years7": ago(days=7 * 366 + 2), "year1": ago(days=368), "days90": ago(days=92),
       "days30": ago(days=32)}
YOUNG = {"years6": ago(days=6 * 365 - 2), "years2": ago(days=2 * 365 - 2),
         "years7": ago(days=7 * 365 - 2), "year1": ago(days=363), "days90": ago(days=88),
         "days30": ago(days=28)}


def backdate(model, pk, **fields) -> None:
    """Time passing: a record made now is given the date it would have had."""
    model.objects.filter(pk=pk).update(**fields)


def a_closed_case(team, officer, resident, closed_at):
    case = a_case(person=resident, property=resident.household.property,
                  requester_email="margaret@example.org")
    do_resolve_case(case, officer, "Crew went back; Mrs Okafor's bin is by the gate")
    do_close_case(case, officer)
    backdate(Case, case.pk, closed_at=closed_at)
    return case


def an_ended_contact_with_answers(adviser, resident, ended_at):
    session = do_start_contact(adviser=adviser, channel="phone", terminal="t", person=resident)
    item = do_add_service(session, Service.objects.get(lgsl=BINS), by=adviser, terminal="t")
    do_answer_page(session, item, {"q_address": str(resident.household.property.uprn),
                                   "step": "which_address.0"}, by=adviser, terminal="t")
    contact = do_abandon_contact(session, by=adviser, terminal="t")
    backdate(Contact, contact.pk, ended_at=ended_at, notes="Rang about her late husband")
    return contact


def a_report(resident, adviser, status: str, at: dt.datetime, on: dt.date):
    report = do_hold_self_service_report("disability", resident, on, {}, None,
                                         client_key=f"{next(_senders):064x}")
    if status == "confirmed":
        do_confirm_self_service_report(report, adviser)
    elif status == "dropped":
        do_drop_self_service_report(report, adviser)
    field = "reported_at" if status == "reported" else "decided_at"
    backdate(SelfServiceReport, report.pk, **{field: at})
    return report


def a_delivered_message(key: str, at: dt.datetime) -> OutboxMessage:
    message = do_enqueue(kind="notify.email", key=key, payload={
        "to": "margaret@example.org", "template": "t", "personalisation": {}})
    OutboxMessage.objects.filter(pk=message.pk).mark_delivered(at)
    return message


@pytest.fixture
def held():
    """One record of each kind past its shipped period and one within it."""
    adviser = an_adviser()
    team = a_team(services=(BINS,))
    officer = a_back_office_officer(team)
    resident = a_resident()
    made = {"old": {}, "young": {}}
    for age, when in (("old", OLD), ("young", YOUNG)):
        mine = made[age]
        mine["case"] = a_closed_case(team, officer, resident, when["years6"])
        mine["contact"] = an_ended_contact_with_answers(adviser, resident, when["years6"])
        mine["logged"] = do_log_contact(recorded_by=adviser, person=resident, channel="phone",
                                        outcome="resolved", notes="Private words",
                                        services=[Service.objects.get(lgsl=BINS)],
                                        ended_at=when["years6"])
        do_open_person_record(adviser, resident)
        access = RecordAccess.objects.latest("id")
        backdate(RecordAccess, access.pk, at=when["years2"])
        mine["access"] = access
        extract = an_extract_import(started_at=when["days90"])
        mine["quarantined"] = QuarantinedRow.objects.create(
            extract_import=extract, row_number=1, line_number=2, reason="bad date",
            raw="Okafor,Margaret,31/02/1958")
        day = {"old": dt.date(2025, 1, 6), "young": dt.date(2025, 2, 3)}[age]
        mine["held"] = a_report(resident, adviser, "reported", when["year1"], day)
        mine["confirmed"] = a_report(resident, adviser, "confirmed", when["days90"],
                                     day + dt.timedelta(days=1))
        mine["dropped"] = a_report(resident, adviser, "dropped", when["days30"],
                                   day + dt.timedelta(days=2))
        mine["message"] = a_delivered_message(f"retention-test-{age}", when["year1"])
        audit = do_record_audit_event(AuditEvent.Kind.SIGNED_IN, user=adviser)
        backdate(AuditEvent, audit.pk, at=when["years7"])
        mine["audit"] = audit
    # A life event's confirmation is named by the event (PROTECT): emptied, not deleted.
    grace = a_resident(given_name="Grace")
    do_add_email(grace, "grace@example.org")
    event = do_report_life_event("disability", grace, dt.date(2025, 3, 1), {}, adviser)
    named = event.confirmation
    assert named is not None, event.confirmation_note
    OutboxMessage.objects.filter(pk=named.pk).mark_delivered(OLD["year1"])
    DeliveryAttempt.objects.create(message=named, started_at=OLD["year1"],
                                   finished_at=OLD["year1"], ok=True, worker="w")
    made["old"]["named_message"] = named
    return made


def run(*args: str) -> tuple[dict[str, int], str]:
    return run_on(TODAY.isoformat(), *args)


def run_on(today: str, *args: str) -> tuple[dict[str, int], str]:
    out = StringIO()
    call_command("apply_retention", "--today", today, *args, stdout=out)
    text = out.getvalue()
    return {kind: int(n) for kind, n in re.findall(r"^  (\w+)\s+(\d+) ", text, re.M)}, text


def snapshot() -> dict:
    """What retention could change, as plain values."""
    return {
        "cases": list(Case.objects.order_by("pk").values_list(
            "pk", "person_id", "title", "response", "requester_email")),
        "feedback": Feedback.objects.count(),
        "notes": list(CaseEvent.objects.order_by("pk").values_list("note", flat=True)),
        "contacts": list(Contact.objects.order_by("pk").values_list("pk", "person_id",
                                                                    "notes")),
        "runs": list(ContactService.objects.order_by("pk").values_list("run", flat=True)),
        "accesses": RecordAccess.objects.count(),
        "quarantined": QuarantinedRow.objects.count(),
        "reports": SelfServiceReport.objects.count(),
        "messages": list(OutboxMessage.objects.order_by("pk").values_list("pk", "payload")),
        "attempts": DeliveryAttempt.objects.count(),
        "audit": AuditEvent.objects.exclude(kind="retention_applied").count(),
    }


EXPECTED = {"closed_cases": 1, "contacts": 2, "access_log": 1, "quarantined_rows": 1,
            "self_service_reports_held": 1, "self_service_reports_confirmed": 1,
            "self_service_reports_dropped": 1, "delivered_messages": 2, "audit_events": 1}


def test_each_kind_past_its_period_is_deleted_or_anonymised_and_nothing_younger(held):
    counts, text = run()
    assert counts == EXPECTED, text
    old, young = held["old"], held["young"]

    case = Case.objects.get(pk=old["case"].pk)
    assert (case.person, case.property, case.title, case.details, case.response,
            case.requester_email) == (None, None, REMOVED, [], "", "")
    # The statistics stay: what, where, who worked it, when and how it ended.
    assert (case.service, case.authority, case.status) == (
        old["case"].service, old["case"].authority, "closed")
    assert case.closed_at is not None and case.raised_at == old["case"].raised_at
    assert not case.feedback.exists()
    assert set(case.events.values_list("note", flat=True)) == {""}
    assert case.events.count() == old["case"].events.count()

    for key in ("contact", "logged"):
        contact = Contact.objects.get(pk=old[key].pk)
        assert (contact.person, contact.notes) == (None, REMOVED)
        assert contact.outcome == old[key].outcome and contact.services.exists()
    [item] = ContactService.objects.filter(contact=old["contact"])
    assert item.run["answers"] == {} and item.run["trail"]

    for key, model in (("access", RecordAccess), ("quarantined", QuarantinedRow),
                       ("held", SelfServiceReport), ("confirmed", SelfServiceReport),
                       ("dropped", SelfServiceReport), ("message", OutboxMessage),
                       ("audit", AuditEvent)):
        assert not model.objects.filter(pk=old[key].pk).exists(), key
        assert model.objects.filter(pk=young[key].pk).exists(), key
    named = OutboxMessage.objects.get(pk=old["named_message"].pk)
    assert named.payload == retention.REMOVED_PAYLOAD
    assert not named.delivery_attempts.exists()

    young_case = Case.objects.get(pk=young["case"].pk)
    assert young_case.person_id and young_case.title != REMOVED and young_case.feedback.exists()
    assert Contact.objects.get(pk=young["contact"].pk).notes == "Rang about her late husband"
    assert ContactService.objects.get(contact=young["contact"]).run["answers"]


def test_a_second_run_changes_nothing(held):
    run()
    before = snapshot()
    counts, _ = run()
    assert set(counts.values()) == {0}
    assert snapshot() == before


def test_a_dry_run_changes_nothing_and_prints_the_counts_a_run_then_makes(held):
    before = snapshot()
    dry, text = run("--dry-run")
    assert text.startswith("Dry run: nothing changed.")
    assert snapshot() == before
    assert not AuditEvent.objects.filter(kind="retention_applied").exists()
    done, _ = run()
    assert dry == done == EXPECTED


def test_a_run_is_audited_with_its_counts(held):
    run()
    run()
    first, second = AuditEvent.objects.filter(kind="retention_applied").order_by("id")
    assert first.after["counts"] == EXPECTED
    assert first.after["today"] == TODAY.isoformat()
    assert "closed_cases 1" in first.detail
    assert set(second.after["counts"].values()) == {0}
    assert second.detail.endswith("nothing due")


def test_small_batches_do_the_same_as_one(held):
    counts, _ = run("--batch", "1")
    assert counts == EXPECTED


def test_a_failure_half_way_leaves_each_batch_whole(held, monkeypatch):
    contacts = next(kind for kind in retention.KINDS if kind.name == "contacts")
    calls = []

    def anonymise_then_fail(batch):
        done = contacts.treat(batch)
        calls.append(done)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return done

    failing = retention.Kind(contacts.name, contacts.label, contacts.action, contacts.due,
                             anonymise_then_fail)
    policy = load_policy()
    rules = tuple(retention.Rule(failing, r.period, r.reason) if r.kind.name == "contacts"
                  else r for r in policy.rules)
    with pytest.raises(RuntimeError):
        do_apply_retention(retention.Policy(policy.path, rules), today=TODAY, batch_size=1)
    # The first batch (the older contact) is done whole, answers and all; the second,
    # which failed after its update, is undone whole.
    first = Contact.objects.get(pk=held["old"]["contact"].pk)
    assert (first.person, first.notes) == (None, REMOVED)
    assert ContactService.objects.get(contact=first).run["answers"] == {}
    second = Contact.objects.get(pk=held["old"]["logged"].pk)
    assert (second.person_id, second.notes) == (held["old"]["logged"].person_id,
                                                "Private words")
    assert len(calls) == 2


# --- the policy file -----------------------------------------------------------------------


def policy_with(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIPPED_POLICY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "retention.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, named", [
    ('[contacts]\nkeep = "6 years"', '[contacts]\nkeep = "6 yeers"', "'contacts.keep'"),
    ('[contacts]\nkeep = "6 years"', '[contacts]\nkeep = "0 days"', "'contacts.keep'"),
    ('[contacts]\nkeep = "6 years"', '[contacts]\nkeep = 6', "'contacts.keep'"),
    ('[access_log]\nkeep = "2 years"', '[access_log]\nkeep = "2 years"\nkept = "x"',
     "'access_log'"),
    ('reason = "90 days after the import: long enough for the system\'s owner to correct '
     'the rows and send them again"', 'reason = "  "', "quarantined_rows.reason"),
    ("[audit_events]", "[audit_event]", "'audit_event'"),
    ('[closed_cases]\nkeep = "6 years"', '[closed_cases\nkeep = "6 years"', "not valid TOML"),
])
def test_a_bad_policy_is_refused_naming_the_entry_and_nothing_changes(held, tmp_path, old,
                                                                     new, named):
    path = policy_with(tmp_path, old, new)
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("apply_retention", "--policy", str(path), stdout=StringIO())
    assert named in str(refused.value) and str(path) in str(refused.value)
    assert snapshot() == before


def test_a_policy_missing_a_kind_is_refused(tmp_path):
    text = SHIPPED_POLICY.read_text(encoding="utf-8")
    path = tmp_path / "retention.toml"
    path.write_text(text[:text.index("[audit_events]")], encoding="utf-8")
    with pytest.raises(CommandError, match="'audit_events': is missing"):
        call_command("apply_retention", "--policy", str(path), stdout=StringIO())


def test_a_bad_date_or_batch_is_refused():
    with pytest.raises(CommandError, match="--today '2026-13-01' is not a date"):
        call_command("apply_retention", "--today", "2026-13-01", stdout=StringIO())
    with pytest.raises(CommandError, match="--batch 0"):
        call_command("apply_retention", "--batch", "0", stdout=StringIO())


def test_the_shipped_policy_has_a_period_and_a_reason_for_every_kind():
    policy = load_policy()
    assert [rule.kind.name for rule in policy.rules] == list(retention.KIND_NAMES)
    assert all(rule.reason for rule in policy.rules)
    assert str(policy.rules[0].period) == "6 years"


def test_a_case_is_kept_for_the_whole_period_counted_from_the_day_after_it_closed():
    team = a_team(services=(BINS,))
    officer = a_back_office_officer(team)
    case = a_closed_case(team, officer, a_resident(), at(2020, 12, 7, 10))
    kept, _ = run_on("2026-12-07")
    assert kept["closed_cases"] == 0
    gone, _ = run_on("2026-12-08")
    assert gone["closed_cases"] == 1
    assert Case.objects.get(pk=case.pk).title == REMOVED


def test_a_year_from_29_february_ends_on_28_february():
    start = retention.Period(1, "years").start_of_keeping(dt.date(2028, 2, 29))
    assert timezone.localtime(start).date() == dt.date(2027, 2, 28)
