"""Subject access: an administrator who may see a resident gets everything held about them
as one file, JSON or a readable page; anyone else is refused and the refusal is logged;
every export is audited and logged as a view."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onestop.core.models import AuditEvent, RecordAccess
from onestop.rights.actions import SubjectAccessDenied, do_export_subject_access
from onestop.rights.subject_access import SECTIONS, subject_access_record
from tests.cases.factories import a_councillor, an_administrator
from tests.personas import BABERGH, MID_SUFFOLK, SUFFOLK, a_resident, an_adviser
from tests.rights.factories import a_resident_with_one_of_everything

pytestmark = pytest.mark.django_db
# The gathering's queries: one per kind of record, however many rows each has.
QUERIES = 24


@pytest.fixture
def everything():
    return a_resident_with_one_of_everything()


def exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.SUBJECT_ACCESS))


def url(person) -> str:
    return reverse("rights:subject-access", args=[person.pk])


# --- what the record holds -----------------------------------------------------------------


def test_the_record_holds_every_kind_of_record_about_the_person(everything):
    record = subject_access_record(everything.person.pk)
    assert list(record)[:4] == ["format", "format_version", "produced_at", "produced_by"]
    assert set(SECTIONS) <= set(record)
    person = record["person"]
    assert (person["given_name"], person["family_name"]) == ("Margaret", "Okafor")
    assert person["date_of_birth"] == "1958-03-14"
    assert person["national_insurance_number"] == "QQ123456C"
    assert {d["value"] for d in person["contact_details"]} == {"07712 345678",
                                                               "margaret@example.org"}
    assert person["needs"] == [{"kind": "interpreter", "label": "Interpreter",
                                "language": "Polish"}]
    assert [(c["purpose"], c["given"]) for c in person["consents"]] == [
        ("contact_by_email", False)]
    assert [b["benefit"] for b in person["benefits"]] == ["pension_credit"]
    assert [s["lgsl"] for s in person["services_received"]] == [530]
    assert person["address"]["postcode"] == "IP14 1AB"
    assert "Mid Suffolk District Council" in person["address"]["authorities"]
    [former] = person["former_addresses"]
    assert (former["postcode"], former["town"]) == ("CO10 2AA", "Sudbury")
    assert "Babergh District Council" in former["authorities"] and former["left_at"]
    assert person["household"] == [{"person_id": everything.partner.pk, "name": "Dan Okafor"}]

    [source] = record["source_records"]
    assert (source["source"], source["reference"], source["raw"]) == (
        "council_tax", "CT-1001", {"reference": "CT-1001"})
    assert source["first_seen"] and source["retired_at"] is None

    [contact] = record["contacts"]
    assert contact["work_session_notes"] == "Asked about the green bin too"
    [item] = contact["basket"]
    assert item["service"]["lgsl"] == 524
    assert item["answers"] == [{"question": "address",
                                "label": "Address of the missed collection",
                                "answer": everything.person.household.property.uprn}]

    case = next(c for c in record["cases"] if c["reference"] == everything.case.reference)
    assert case["response"] == "The crew went back the same afternoon"
    assert [e["kind"] for e in case["events"]][:2] == ["raised", "resolved"]
    assert "feedback" in [e["kind"] for e in case["events"]]
    assert "Your bin was emptied this afternoon" in [f["message"] for f in case["feedback"]]

    [about] = record["life_events"]
    assert about["kind"] == "disability" and about["notices"]
    [reported] = record["life_events_reported"]
    assert reported["kind"] == "change_of_name"
    assert reported["informant"]["person_id"] == everything.person.pk
    [offer] = record["offers"]
    assert (offer["service"]["lgsl"], offer["status"]) == (4, "offered")
    [report] = record["self_service_reports"]
    assert report["details"] == {"family_name": "Okafor-Smith"}
    assert report["status"] == "reported"
    assert [a["purpose"] for a in record["access_log"]] == ["view"]


def test_dates_are_iso_8601_and_the_record_is_json(everything):
    record = subject_access_record(everything.person.pk)
    assert json.loads(json.dumps(record)) == record
    assert record["produced_at"].endswith("+00:00")
    assert record["contacts"][0]["started_at"].endswith("+00:00")


def test_the_record_takes_the_same_queries_however_much_is_held(everything):
    with CaptureQueriesContext(connection) as one_of_each:
        subject_access_record(everything.person.pk)
    more = a_resident_with_one_of_everything(answer="A second contact's notes",
                                             reference="CT-1002")
    # Move the second resident's records onto the first: twice as many rows of each kind.
    from onestop.cases.models import Case
    from onestop.contacts.models import Contact
    from onestop.eligibility.models import Offer
    from onestop.matching.models import SourceRecord

    for model in (Case, Contact, Offer, SourceRecord):
        model.objects.filter(person=more.person).update(person=everything.person)
    with CaptureQueriesContext(connection) as twice:
        record = subject_access_record(everything.person.pk)
    assert len(record["contacts"]) == 2 and len(record["source_records"]) == 2
    assert len(twice) == len(one_of_each) <= QUERIES, len(twice)


def test_the_gathering_stays_under_its_query_budget(everything, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERIES):
        subject_access_record(everything.person.pk)


# --- the action ----------------------------------------------------------------------------


def test_an_export_is_audited_and_logged_as_a_view_it_lists_itself(everything):
    admin = an_administrator()
    export = do_export_subject_access(admin, everything.person, form="json",
                                      path="/people/1/subject-access/")
    [event] = exports()
    assert event.actor == admin
    assert event.after["person"] == everything.person.pk
    assert event.after["format"] == "json"
    assert event.after["sections"]["contacts"] == 1
    assert event.after["sections"]["access_log"] == 2
    logged = RecordAccess.objects.get(person=everything.person, user=admin)
    assert (logged.granted, logged.purpose) == (True, "subject access")
    assert export.record["access_log"][-1]["purpose"] == "subject access"


@pytest.mark.parametrize("who", ["babergh administrator", "adviser", "councillor"])
def test_anyone_but_an_administrator_who_may_see_them_is_refused(who):
    resident = a_resident(MID_SUFFOLK)
    user = {"babergh administrator": lambda: an_administrator(acts_for=(BABERGH,)),
            "adviser": an_adviser, "councillor": a_councillor}[who]()
    with pytest.raises(SubjectAccessDenied) as refused:
        do_export_subject_access(user, resident, form="json")
    # What the refusal log writes for it (onestop.core.refusals).
    assert (refused.value.person, refused.value.purpose) == (resident, "subject access")
    assert exports() == []


# --- the pages -----------------------------------------------------------------------------


def test_the_person_page_offers_administrators_a_subject_access_request(client, everything):
    admin = an_administrator()
    client.force_login(admin)
    page = client.get(reverse("contacts:person", args=[everything.person.pk]))
    assert "Subject access request" in page.content.decode()
    client.force_login(everything.adviser)
    page = client.get(reverse("contacts:person", args=[everything.person.pk]))
    assert "Subject access request" not in page.content.decode()


def test_an_administrator_downloads_the_json_file(client, everything):
    admin = an_administrator(acts_for=(SUFFOLK, MID_SUFFOLK))
    client.force_login(admin)
    assert client.get(url(everything.person)).status_code == 200
    assert exports() == []  # choosing the form exports nothing yet
    response = client.post(url(everything.person), {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="subject-access-{everything.person.pk}-')
    assert "no-store" in response["Cache-Control"]  # onestop.core.caching
    record = json.loads(response.content)
    assert record["person"]["id"] == everything.person.pk
    assert record["produced_by"] == admin.get_full_name()
    [event] = exports()
    assert event.after["format"] == "json"


def test_an_administrator_reads_the_printable_page(client, everything):
    client.force_login(an_administrator())
    response = client.post(url(everything.person), {"format": "html"})
    assert response.status_code == 200
    html = response.content.decode()
    for seen in ("Everything held about Margaret Okafor", "QQ123456C", "Polish",
                 "Pension Credit", "council_tax".replace("_", " ").capitalize() + " CT-1001",
                 "Address of the missed collection", "Asked about the green bin too",
                 "Your bin was emptied this afternoon", "The crew went back the same afternoon",
                 "A change of name", "Okafor-Smith", "Free school meals",
                 "Who opened this record", "rights/print.css"):
        assert seen in html, seen
    [event] = exports()
    assert event.after["format"] == "html"


@pytest.mark.parametrize("who", ["babergh administrator", "adviser"])
def test_the_page_refuses_others_with_403_and_logs_it(client, who):
    resident = a_resident(MID_SUFFOLK)
    user = an_administrator(acts_for=(BABERGH,)) if who != "adviser" else an_adviser()
    client.force_login(user)
    assert client.get(url(resident)).status_code == 403
    assert client.post(url(resident), {"format": "json"}).status_code == 403
    refusals = RecordAccess.objects.filter(user=user, granted=False, purpose="subject access")
    assert refusals.count() == 2
    assert refusals.first().path == url(resident)
    assert exports() == []


def test_an_id_no_resident_has_is_refused_like_any_other_and_logged(client):
    admin = an_administrator()
    client.force_login(admin)
    response = client.post(reverse("rights:subject-access", args=[987654]), {"format": "json"})
    assert response.status_code == 403
    refusal = RecordAccess.objects.get(user=admin)
    assert (refusal.person, refusal.subject, refusal.granted) == (None, "person 987654", False)


def test_an_id_past_the_integer_range_is_refused_not_an_error(client):
    admin = an_administrator()
    client.force_login(admin)
    response = client.get(f"/people/{'9' * 20}/subject-access/")
    assert response.status_code == 403
    assert RecordAccess.objects.get(user=admin).subject == f"person {'9' * 20}"[:80]


@pytest.mark.parametrize("data", [{}, {"format": "pdf"}, {"format": ""}])
def test_a_missing_or_unknown_format_is_a_400_naming_it_and_exports_nothing(client, data):
    resident = a_resident(MID_SUFFOLK)
    client.force_login(an_administrator())
    response = client.post(url(resident), data)
    assert response.status_code == 400
    assert "Choose a readable page or a JSON file" in response.content.decode()
    assert exports() == []


def test_signing_in_comes_first(client):
    response = client.get(url(a_resident()))
    assert response.status_code == 302 and "/sign-in" in response["Location"]


# --- the command ---------------------------------------------------------------------------


def test_the_command_writes_json_and_is_audited(everything, tmp_path):
    out = tmp_path / "margaret.json"
    call_command("subject_access", "--person", str(everything.person.pk), "--format", "json",
                 "--out", str(out))
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["person"]["family_name"] == "Okafor"
    assert record["produced_by"].startswith("command line (")
    [event] = exports()
    assert event.terminal == "command line" and event.claimed_identity
    assert event.after == {"person": everything.person.pk, "format": "json",
                           "sections": event.after["sections"]}


def test_the_command_writes_a_page_that_opens_anywhere(everything, tmp_path):
    out = tmp_path / "margaret.html"
    call_command("subject_access", "--person", str(everything.person.pk), "--format", "html",
                 "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert "Everything held about Margaret Okafor" in html and "/static/" not in html


def test_the_command_refuses_an_unknown_person_or_folder_and_audits_nothing(tmp_path):
    with pytest.raises(CommandError, match="no person has id 987654"):
        call_command("subject_access", "--person", "987654", "--out", str(tmp_path / "x"))
    with pytest.raises(CommandError, match="is a folder"):
        call_command("subject_access", "--person", str(a_resident().pk), "--out",
                     str(tmp_path))
    assert exports() == []
