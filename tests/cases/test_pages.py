"""The back office's worklists and cases, and councillors' enquiry pages, over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop.cases.actions import do_escalate_breaches, do_raise_members_enquiry, do_resolve_case
from onestop.cases.models import Case, Feedback
from onestop.core.models import RecordAccess
from tests.cases.factories import (
    BINS,
    a_back_office_officer,
    a_case,
    a_councillor,
    a_service,
    a_team,
)
from tests.personas import BABERGH, MID_SUFFOLK, a_resident, a_team_leader, an_adviser

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader():
    return a_team_leader()


@pytest.fixture
def team(leader):
    return a_team(MID_SUFFOLK, services=[BINS], leader=leader, name="Mid Suffolk bins")


@pytest.fixture
def officer(team):
    return a_back_office_officer(team)


def signed_in(client, user):
    client.force_login(user)
    return client


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def test_the_worklist_puts_the_most_overdue_first_then_the_soonest_due(client, team, officer):
    due_later = a_case(sla_working_days=20, raised_at=days_ago(1))
    due_soon = a_case(sla_working_days=5, raised_at=days_ago(1))
    slightly_late = a_case(sla_working_days=2, raised_at=days_ago(10))
    most_late = a_case(sla_working_days=2, raised_at=days_ago(30))
    done = a_case(sla_working_days=2, raised_at=days_ago(40))
    do_resolve_case(done, officer, "Done")
    page = signed_in(client, officer).get(f"/cases/teams/{team.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    positions = [html.index(case.reference) for case in
                 (most_late, slightly_late, due_soon, due_later)]
    assert positions == sorted(positions)
    assert done.reference not in html
    overdue = most_late.working_days_overdue()
    assert f"{overdue} working days overdue" in html
    assert "Mid Suffolk bins" in html


def test_the_worklist_is_for_the_teams_officers_and_leader_only(client, team, leader):
    other_team = a_team(BABERGH)
    assert signed_in(client, leader).get(f"/cases/teams/{team.slug}/").status_code == 200
    for outsider in (a_back_office_officer(other_team), an_adviser(), a_team_leader()):
        client.force_login(outsider)
        assert client.get(f"/cases/teams/{team.slug}/").status_code == 403


def test_signed_out_users_are_sent_to_sign_in(client, team):
    response = client.get(f"/cases/teams/{team.slug}/")
    assert response.status_code == 302


def test_my_worklists_lists_the_teams_i_work_in(client, team, officer):
    a_case()
    page = signed_in(client, officer).get("/cases/")
    assert page.status_code == 200
    assert "Mid Suffolk bins" in page.content.decode()
    assert "1 open case" in page.content.decode()
    assert 'href="/cases/"' in page.content.decode()  # the Worklist link in the menu


def test_the_case_page_shows_details_history_and_only_the_allowed_buttons(client, officer):
    case = a_case()
    html = signed_in(client, officer).get(f"/cases/{case.reference}/").content.decode()
    assert "Which bin was not emptied?" in html and "Black bin" in html
    assert f"/cases/{case.reference}/acknowledge/" in html
    assert f"/cases/{case.reference}/resolve/" in html
    assert f"/cases/{case.reference}/close/" not in html
    assert f"/cases/{case.reference}/reopen/" not in html
    assert "Send feedback" in html
    assert "Raised" in html


def test_opening_a_case_page_is_in_the_residents_access_log(client, officer):
    case = a_case(person=a_resident(MID_SUFFOLK))
    signed_in(client, officer).get(f"/cases/{case.reference}/")
    logged = RecordAccess.objects.get(person=case.person)
    assert (logged.user, logged.granted, logged.purpose) == (officer, True,
                                                             f"case {case.reference}")


def test_moves_are_made_by_post_and_refused_moves_say_why(client, officer):
    case = a_case()
    client = signed_in(client, officer)
    assert client.get(f"/cases/{case.reference}/acknowledge/").status_code == 405
    response = client.post(f"/cases/{case.reference}/acknowledge/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ACKNOWLEDGED
    response = client.post(f"/cases/{case.reference}/acknowledge/")
    assert response.status_code == 400
    assert "Cannot acknowledge a case that is acknowledged" in response.content.decode()
    client.post(f"/cases/{case.reference}/start/")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS


def test_resolving_needs_the_response_and_then_stores_it_as_feedback(client, officer):
    case = a_case()
    client = signed_in(client, officer)
    response = client.post(f"/cases/{case.reference}/resolve/", {"response": ""})
    assert response.status_code == 400
    assert "Enter the response to give the requester" in response.content.decode()
    response = client.post(f"/cases/{case.reference}/resolve/",
                           {"response": "The crew emptied it"}, follow=True)
    assert f"Case {case.reference} resolved" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.response) == ("resolved", "The crew emptied it")
    assert Feedback.objects.get(case=case).message == "The crew emptied it"
    client.post(f"/cases/{case.reference}/close/")
    client.post(f"/cases/{case.reference}/reopen/", {"reason": "Missed again"})
    case.refresh_from_db()
    assert case.status == Case.Status.REOPENED


def test_feedback_is_sent_from_the_case_page(client, officer):
    case = a_case(person=a_resident(preferred_channel="letter"))
    response = signed_in(client, officer).post(f"/cases/{case.reference}/feedback/",
                                               {"message": "The crew comes on Thursday"},
                                               follow=True)
    assert "Feedback saved to send by letter" in response.content.decode()
    assert Feedback.objects.get(case=case).channel == "letter"


def test_other_teams_cannot_open_or_move_the_case(client, officer):
    case = a_case()
    client = signed_in(client, a_back_office_officer(a_team(BABERGH)))
    assert client.get(f"/cases/{case.reference}/").status_code == 403
    assert client.post(f"/cases/{case.reference}/acknowledge/").status_code == 403
    case.refresh_from_db()
    assert case.status == Case.Status.NEW


def test_a_leader_sees_the_cases_escalated_to_them(client, team, leader):
    late = a_case(sla_working_days=2, raised_at=days_ago(30))
    on_time = a_case(sla_working_days=20)
    do_escalate_breaches()
    html = signed_in(client, leader).get("/cases/escalated/").content.decode()
    assert late.reference in html and on_time.reference not in html
    assert client.get("/cases/escalated/").status_code == 200
    client.force_login(a_back_office_officer(team))
    assert client.get("/cases/escalated/").status_code == 403


# --- councillors ---------------------------------------------------------------------------


def test_a_councillor_finds_a_constituent_and_raises_an_enquiry(client, team):
    councillor = a_councillor()
    resident = a_resident(MID_SUFFOLK, given_name="Ada", family_name="Lovell")
    client = signed_in(client, councillor)
    found = client.get("/cases/enquiries/new/", {"name": "Ada Lovell",
                                                 "postcode": "IP14 1AB"})
    assert found.status_code == 200
    assert f"?person={resident.pk}" in found.content.decode()
    chosen = client.get("/cases/enquiries/new/", {"person": resident.pk})
    assert "For <strong>Ada Lovell</strong>" in chosen.content.decode()
    response = client.post("/cases/enquiries/new/", {
        "person": resident.pk, "service": BINS, "question": "Why was the bin missed?"},
        follow=True)
    enquiry = Case.objects.get(kind="members_enquiry")
    assert (enquiry.person, enquiry.councillor, enquiry.team) == (resident, councillor, team)
    assert f"Enquiry {enquiry.reference} raised with Mid Suffolk bins" in \
        response.content.decode()


def test_a_councillor_can_type_in_a_constituent_not_found(client, team):
    client = signed_in(client, a_councillor())
    response = client.post("/cases/enquiries/new/", {"service": BINS, "question": "Why?"})
    assert response.status_code == 400
    assert "enter the constituent&#x27;s name and address" in response.content.decode()
    client.post("/cases/enquiries/new/", {
        "service": BINS, "question": "Why?", "constituent_name": "Ada Lovell",
        "constituent_address": "3 Mill Lane, Stowmarket IP14 2AA"})
    assert Case.objects.get().requester_name == "Ada Lovell"


def test_a_councillor_cannot_raise_for_a_resident_outside_their_area(client, team):
    outsider = a_resident(BABERGH)
    response = signed_in(client, a_councillor()).post("/cases/enquiries/new/", {
        "person": outsider.pk, "service": BINS, "question": "Why?"})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_my_enquiries_shows_status_and_rates_a_resolved_answer_once(client, team, officer):
    councillor = a_councillor()
    enquiry = do_raise_members_enquiry(councillor, service=a_service(BINS),
                                       question="Why was the bin missed?",
                                       person=a_resident())
    client = signed_in(client, councillor)
    html = client.get("/cases/enquiries/").content.decode()
    assert enquiry.reference in html and "New" in html
    assert f"/cases/{enquiry.reference}/rating/" not in html
    do_resolve_case(enquiry, officer, "The crew returned")
    html = client.get("/cases/enquiries/").content.decode()
    assert "The crew returned" in html
    assert f"/cases/{enquiry.reference}/rating/" in html
    assert client.post(f"/cases/{enquiry.reference}/rating/", {}).status_code == 400
    response = client.post(f"/cases/{enquiry.reference}/rating/",
                           {"rating": "4", "comment": "Clear"}, follow=True)
    assert "rated 4 out of 5" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.rating == 4
    again = client.post(f"/cases/{enquiry.reference}/rating/", {"rating": "5"})
    assert again.status_code == 400
    assert "already rated" in again.content.decode()
    # The councillor may read their enquiry, but not work it.
    page = client.get(f"/cases/{enquiry.reference}/").content.decode()
    assert "Send feedback" not in page


def test_councillor_pages_are_for_councillors(client, officer):
    client = signed_in(client, officer)
    assert client.get("/cases/enquiries/").status_code == 403
    assert client.get("/cases/enquiries/new/").status_code == 403
    signed_in(client, a_councillor())
    assert 'href="/cases/enquiries/"' in client.get("/cases/enquiries/").content.decode()


def test_the_performance_page_is_for_leaders_and_administrators(client, team, leader, officer):
    councillor = a_councillor()
    enquiry = do_raise_members_enquiry(councillor, service=a_service(BINS),
                                       question="Why?", person=a_resident())
    do_resolve_case(enquiry, officer, "Fixed")
    page = signed_in(client, leader).get("/cases/enquiries/performance/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mid Suffolk bins" in html and "100.0%" in html
    bad = client.get("/cases/enquiries/performance/", {"start": "2026-02-01",
                                                       "end": "2026-01-01"})
    assert bad.status_code == 400
    client.force_login(officer)
    assert client.get("/cases/enquiries/performance/").status_code == 403


def test_the_worklist_and_case_page_take_as_many_queries_for_many_cases_as_for_one(
        client, team, officer):
    client = signed_in(client, officer)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    first = a_case(person=a_resident())
    one = queries(f"/cases/teams/{team.slug}/")
    for _ in range(5):
        a_case(person=a_resident())
    assert queries(f"/cases/teams/{team.slug}/") == one
    page = queries(f"/cases/{first.reference}/")
    do_resolve_case(first, officer, "Done")
    do_escalate_breaches()
    assert queries(f"/cases/{first.reference}/") == page
