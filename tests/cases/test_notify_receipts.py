"""GOV.UK Notify's delivery receipts: what became of email and text feedback after Notify
took it, recorded by an action, received over the API and shown on the case page."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from onestop.cases.actions import CaseError, do_record_notify_receipt, do_send_feedback
from onestop.cases.models import CaseEvent, Feedback
from onestop.people.actions import do_add_email, do_add_phone
from tests.cases.factories import a_back_office_officer, a_case, a_team, at
from tests.core.test_settings import GOOD_KEY, PRODUCTION_NOTIFY, run_check
from tests.personas import MID_SUFFOLK, a_resident

pytestmark = pytest.mark.django_db

URL = "/api/v1/notify/receipts"
EMAIL = "m.okafor@example.org"
T0 = at(2026, 12, 1, 10, 0)


@pytest.fixture
def officer():
    return a_back_office_officer(a_team(MID_SUFFOLK))


@pytest.fixture
def feedback(officer) -> Feedback:
    resident = a_resident()
    do_add_email(resident, EMAIL)
    return do_send_feedback(a_case(person=resident), officer, "The crew comes on Thursday")


def record(feedback: Feedback, status: str, at: dt.datetime = T0, **extra):
    return do_record_notify_receipt(
        reference=f"feedback:{feedback.pk}", status=status, at=at, **extra
    )


def held(feedback: Feedback) -> tuple[str, dt.datetime | None]:
    feedback.refresh_from_db()
    return feedback.notify_status, feedback.notify_status_at


def failure_events(feedback: Feedback) -> list[CaseEvent]:
    return list(
        CaseEvent.objects.filter(case=feedback.case_id, kind=CaseEvent.Kind.FEEDBACK_FAILED)
    )


# --- the action ----------------------------------------------------------------------------


def test_a_delivered_receipt_is_kept_with_its_time_and_notify_id(feedback):
    notification_id = str(uuid.uuid4())
    outcome = record(feedback, "delivered", notification_id=notification_id)
    assert outcome.recorded is True and outcome.feedback.pk == feedback.pk
    assert held(feedback) == ("delivered", T0)
    assert feedback.notify_id == notification_id
    assert feedback.delivered_at is None  # the worker's "Notify took it" is its own time
    assert failure_events(feedback) == []


@pytest.mark.parametrize("status", ["permanent-failure", "technical-failure"])
def test_a_final_failure_is_written_to_the_case_history_once(feedback, status):
    assert record(feedback, status).recorded is True
    assert record(feedback, status, at=T0 + dt.timedelta(minutes=5)).recorded is False
    [event] = failure_events(feedback)
    assert event.by is None and event.at == T0
    assert f"by email to {EMAIL} could not be delivered" in event.note
    assert "contact the resident another way" in event.note
    assert held(feedback) == (status, T0)


def test_a_permanent_failure_of_a_text_says_the_phone_number_is_not_working(officer):
    resident = a_resident(preferred_channel="sms")
    do_add_phone(resident, "07712 345678")
    texted = do_send_feedback(a_case(person=resident), officer, "Hello")
    record(texted, "permanent-failure")
    [event] = failure_events(texted)
    assert "the phone number is not working (permanent failure)" in event.note


def test_a_temporary_failure_is_kept_and_put_in_the_history(feedback):
    # Notify reports it only after trying for 72 hours: the officer has to act on it.
    assert record(feedback, "temporary-failure").recorded is True
    assert held(feedback) == ("temporary-failure", T0)
    [event] = failure_events(feedback)
    assert "not accepting messages for the 72 hours GOV.UK Notify kept trying" in event.note


def test_the_same_receipt_twice_changes_nothing(feedback):
    assert record(feedback, "delivered").recorded is True
    assert record(feedback, "delivered", at=T0 + dt.timedelta(hours=1)).recorded is False
    assert held(feedback) == ("delivered", T0)


def test_a_temporary_failure_then_delivery_ends_delivered(feedback):
    record(feedback, "temporary-failure")
    later = T0 + dt.timedelta(hours=2)
    assert record(feedback, "delivered", at=later).recorded is True
    assert held(feedback) == ("delivered", later)
    # The history said it failed; it now also says it arrived.
    [late] = feedback.case.events.filter(kind=CaseEvent.Kind.FEEDBACK_DELIVERED)
    assert late.note.endswith("was delivered after all") and late.at == later


@pytest.mark.parametrize("final", ["delivered", "permanent-failure", "technical-failure"])
def test_a_late_temporary_failure_never_overwrites_a_final_status(feedback, final):
    record(feedback, final)
    outcome = record(feedback, "temporary-failure", at=T0 + dt.timedelta(hours=1))
    assert outcome.recorded is False
    assert held(feedback) == (final, T0)


def test_a_receipt_older_than_the_one_held_came_late_and_is_ignored(feedback):
    record(feedback, "delivered")
    assert record(feedback, "permanent-failure", at=T0 - dt.timedelta(minutes=1)).recorded is False
    assert held(feedback) == ("delivered", T0)
    assert failure_events(feedback) == []


def test_a_later_bounce_replaces_delivered_and_is_put_in_the_history(feedback):
    record(feedback, "delivered")
    later = T0 + dt.timedelta(minutes=30)
    assert record(feedback, "permanent-failure", at=later).recorded is True
    assert held(feedback) == ("permanent-failure", later)
    assert len(failure_events(feedback)) == 1


@pytest.mark.parametrize(
    "reference",
    [None, "", "feedback:", "feedback:abc", "welcome:3", "feedback:999999999", " feedback:1"],
)
def test_a_receipt_for_no_feedback_of_ours_is_logged_and_changes_nothing(
    feedback, reference, caplog
):
    with caplog.at_level(logging.WARNING, logger="onestop.cases.actions"):
        outcome = do_record_notify_receipt(reference=reference, status="delivered", at=T0)
    assert outcome == (None, False)
    assert held(feedback) == ("", None)
    assert f"for reference {reference!r} names no case feedback" in caplog.text


def test_a_status_notify_does_not_send_or_a_naive_time_is_refused(feedback):
    with pytest.raises(CaseError, match="status 'sending' is not one of delivered"):
        record(feedback, "sending")
    with pytest.raises(CaseError, match="timezone-aware"):
        record(feedback, "delivered", at=dt.datetime(2026, 12, 1, 10, 0))
    assert held(feedback) == ("", None)


# --- over HTTP -----------------------------------------------------------------------------


def receipt(feedback: Feedback | None, **changes) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "reference": f"feedback:{feedback.pk}" if feedback else None,
        "to": EMAIL,
        "status": "delivered",
        "created_at": "2026-12-01T10:00:00.000000Z",
        "completed_at": "2026-12-01T10:00:03.250000Z",
        "sent_at": "2026-12-01T10:00:01.000000Z",
        "notification_type": "email",
        "template_id": settings.NOTIFY_TEMPLATES["case_feedback_email"],
        "template_version": 1,
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


def notify_client(token: str | None = None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token or settings.NOTIFY_CALLBACK_TOKEN}")
    return client


def test_notify_posts_a_receipt_and_the_feedback_is_marked_delivered(feedback):
    body = receipt(feedback)
    response = notify_client().post(URL, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"feedback": feedback.pk, "status": "delivered", "recorded": True}
    assert held(feedback) == (
        "delivered",
        dt.datetime(2026, 12, 1, 10, 0, 3, 250000, tzinfo=dt.UTC),
    )
    assert feedback.notify_id == body["id"]
    again = notify_client().post(URL, body, format="json")
    assert again.status_code == 200 and again.json()["recorded"] is False


def test_a_receipt_without_completed_at_is_timed_when_it_arrives(feedback):
    response = notify_client().post(URL, receipt(feedback, completed_at=None), format="json")
    assert response.status_code == 200
    assert held(feedback)[1] is not None


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Token x",
        "Basic b25lc3RvcDpzZWNyZXQ=",
        "Bearer not-the-callback-token",
        "Bearer onestop-test-notify-callbacks-not-secretX",
    ],
)
def test_a_missing_or_wrong_token_is_refused_and_nothing_is_written(feedback, authorization):
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    response = client.post(URL, receipt(feedback), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert held(feedback) == ("", None)


def test_the_token_is_the_one_in_the_settings(feedback, settings):
    settings.NOTIFY_CALLBACK_TOKEN = "a-council-callback-token-0123"
    assert (
        notify_client("onestop-test-notify-callbacks-not-secret")
        .post(URL, receipt(feedback), format="json")
        .status_code
        == 401
    )
    assert (
        notify_client("a-council-callback-token-0123")
        .post(URL, receipt(feedback), format="json")
        .status_code
        == 200
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "sending"}, "status"),
        ({"status": ...}, "status"),
        ({"id": "not-a-uuid"}, "id"),
        ({"id": ...}, "id"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"completed_at": "1 Dec 2026"}, "completed_at"),
        ({"notification_type": "pigeon"}, "notification_type"),
        ({"to": ...}, "to"),
        ({"reference": ...}, "reference"),
    ],
)
def test_a_malformed_receipt_is_400_naming_the_field_and_writes_nothing(feedback, changes, field):
    response = notify_client().post(URL, receipt(feedback, **changes), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert held(feedback) == ("", None)


@pytest.mark.parametrize("field", ["completed_at", "sent_at", "created_at"])
def test_a_receipt_dated_in_2099_is_400_naming_the_field_and_writes_nothing(feedback, field):
    # Taken as it is, it would outrank every true receipt after it: the newest one wins.
    response = notify_client().post(
        URL, receipt(feedback, **{field: "2099-01-01T00:00:00Z"}), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert "more than a day ahead of now" in response.json()[field][0]
    assert held(feedback) == ("", None)
    # A later true receipt is still taken.
    assert notify_client().post(URL, receipt(feedback), format="json").status_code == 200
    assert held(feedback)[0] == "delivered"


def test_a_receipt_a_few_hours_ahead_is_taken_as_clocks_differ(feedback):
    soon = (timezone.now() + dt.timedelta(hours=20)).isoformat()
    response = notify_client().post(URL, receipt(feedback, completed_at=soon, sent_at=soon),
                                    format="json")
    assert response.status_code == 200, response.content
    assert held(feedback)[0] == "delivered"


def test_a_body_that_is_not_a_json_object_is_400(feedback):
    client = notify_client()
    assert client.post(URL, "[1, 2]", content_type="application/json").status_code == 400
    assert client.post(URL, "{not json", content_type="application/json").status_code == 400
    assert held(feedback) == ("", None)


def test_a_receipt_for_an_unknown_reference_is_answered_200_so_notify_does_not_retry(feedback):
    for reference in (None, "life-event:4", "feedback:999999999"):
        response = notify_client().post(URL, receipt(None, reference=reference), format="json")
        assert response.status_code == 200
        assert response.json() == {"feedback": None, "status": None, "recorded": False}
    assert held(feedback) == ("", None)


def test_only_post_is_allowed(feedback):
    assert notify_client().get(URL).status_code == 405


# --- the case page -------------------------------------------------------------------------


def case_page(client, officer, feedback) -> str:
    client.force_login(officer)
    response = client.get(f"/cases/{feedback.case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("delivered", "delivered to the resident 1 December 10:00"),
        (
            "permanent-failure",
            "<strong>could not be delivered</strong>: the email address is not "
            "working (permanent failure) - contact the resident another way",
        ),
        (
            "temporary-failure",
            "<strong>could not be delivered</strong>: the inbox was full or not accepting "
            "messages for the 72 hours GOV.UK Notify kept trying (temporary failure) - send "
            "it again later or contact the resident another way",
        ),
        (
            "technical-failure",
            "<strong>could not be delivered</strong>: GOV.UK Notify had a technical problem",
        ),
    ],
)
def test_the_case_page_says_in_plain_english_what_became_of_the_feedback(
    client, officer, feedback, status, words
):
    record(feedback, status)
    page = case_page(client, officer, feedback)
    assert words in page
    assert "waiting to be delivered" not in page


def test_the_case_page_keeps_the_handed_to_notify_time_beside_the_receipt(
    client, officer, feedback
):
    Feedback.objects.filter(pk=feedback.pk).update(delivered_at=T0 - dt.timedelta(minutes=1))
    page = case_page(client, officer, feedback)
    assert "handed to GOV.UK Notify 1 December 09:59; no delivery receipt yet" in page
    record(feedback, "permanent-failure")
    page = case_page(client, officer, feedback)
    assert "handed to GOV.UK Notify 1 December 09:59; <strong>could not be delivered" in page
    assert "Feedback not delivered" in page  # the history row


def test_a_text_that_did_not_arrive_blames_the_phone_not_the_inbox(client, officer):
    resident = a_resident(preferred_channel="sms")
    do_add_phone(resident, "07712 345678")
    texted = do_send_feedback(a_case(person=resident), officer, "Hello")
    record(texted, "temporary-failure")
    assert "could not be delivered</strong>: the phone was off or out of signal" in case_page(
        client, officer, texted
    )


def test_the_receipts_endpoint_and_its_bearer_token_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/notify/receipts" in schema and "NotifyReceiptIn" in schema
    assert "notifyCallbackToken" in schema


# --- the setting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"ONESTOP_ENV": "production", "NOTIFY_CALLBACK_TOKEN": ""},
            "NOTIFY_CALLBACK_TOKEN (or NOTIFY_CALLBACK_TOKEN_FILE) is required in production",
        ),
        ({"NOTIFY_CALLBACK_TOKEN": "short"}, "NOTIFY_CALLBACK_TOKEN must be at least 10"),
        ({"NOTIFY_CALLBACK_TOKEN": "has a space in it"}, "with no spaces"),
    ],
)
def test_a_missing_or_unusable_callback_token_stops_start_up(tmp_path, env, message):
    result = run_check(
        **{
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "SECRET_KEY": GOOD_KEY,
            "ALLOWED_HOSTS": "a.example",
            **PRODUCTION_NOTIFY,
            **env,
        }
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert env["NOTIFY_CALLBACK_TOKEN"] not in result.stderr or not env["NOTIFY_CALLBACK_TOKEN"]
