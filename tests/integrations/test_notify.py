"""GOV.UK Notify: the real client against the local server that speaks Notify's API, the
outbox handlers' mapping of its answers, and case feedback that really goes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import jwt
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from onestop.cases.actions import do_mark_feedback_delivered, do_resolve_case, do_send_feedback
from onestop.cases.models import Feedback
from onestop.integrations.fake_notify import FakeNotifyServer, serve_beside_demo, split_api_key
from onestop.integrations.handlers import DeliveryFailed, handler_for
from onestop.integrations.models import OutboxMessage
from onestop.integrations.notify import (
    FakeNotifier,
    NotifyError,
    NotifyNotifier,
    deliver_email,
    deliver_sms,
    notifier_in_use,
)
from onestop.integrations.outbox import do_enqueue
from onestop.integrations.worker import Worker
from onestop.people.actions import do_add_email, do_add_phone
from tests.cases.factories import a_back_office_officer, a_case, a_team
from tests.personas import MID_SUFFOLK, a_resident

MOBILE_E164 = "+447712345678"
FEEDBACK = {"case_reference": "OS-1", "message": "The crew comes on Thursday",
            "service": "Missed bin"}
WRONG_KEY = ("stolen-4f7f1a9e-6a3b-4c2d-9e8f-1b2c3d4e5f60-"
             "ffffffff-ffff-4fff-8fff-ffffffffffff")


@pytest.fixture
def notify(settings):
    """The fake Notify on a free port, with NOTIFY_BASE_URL pointing at it."""
    with FakeNotifyServer(api_key=settings.NOTIFY_API_KEY,
                          templates=settings.NOTIFY_TEMPLATES) as server:
        settings.NOTIFY_BASE_URL = server.url
        settings.NOTIFY_TIMEOUT_SECONDS = 5
        yield server


def post(url: str, body: object, token: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers,
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def token(*, iat: float | None = None, key: str | None = None) -> str:
    service_id, secret = split_api_key(key or django_settings.NOTIFY_API_KEY)
    return jwt.encode({"iss": service_id, "iat": int(iat or time.time())}, secret,
                      algorithm="HS256")


def message(kind: str, **payload) -> OutboxMessage:
    """An unsaved outbox message, as a handler is given it."""
    return OutboxMessage(kind=kind, key="test:1", payload=payload)


# --- the real client against the fake server -----------------------------------------------


def test_the_real_client_sends_an_email_that_the_fake_notify_accepts(notify):
    notification_id = NotifyNotifier().send_email("m.okafor@example.org", "case_feedback_email",
                                                  FEEDBACK, reference="feedback:7")
    [received] = notify.received
    assert received["id"] == notification_id
    assert (received["type"], received["to"], received["template"], received["reference"]) == (
        "email", "m.okafor@example.org", "case_feedback_email", "feedback:7")
    assert received["template_id"] == django_settings.NOTIFY_TEMPLATES["case_feedback_email"]
    assert received["content"]["subject"] == "Update on your request OS-1"
    assert received["content"]["body"].startswith("The crew comes on Thursday")


def test_the_real_client_sends_a_text_that_the_fake_notify_accepts(notify):
    NotifyNotifier().send_sms(MOBILE_E164, "case_feedback_sms", FEEDBACK)
    [received] = notify.received
    assert (received["type"], received["to"], received["reference"]) == (
        "sms", MOBILE_E164, None)
    assert received["content"]["body"] == "The crew comes on Thursday (ref OS-1)"


def test_a_wrong_key_is_refused_with_403_and_never_retried(notify):
    with pytest.raises(NotifyError) as refused:
        NotifyNotifier(api_key=WRONG_KEY).send_email("a@example.org", "case_feedback_email",
                                                     FEEDBACK)
    assert (refused.value.status_code, refused.value.retry) == (403, False)
    assert "Invalid token" in refused.value.reason
    wrong = NotifyNotifier(api_key=WRONG_KEY)
    with notifier_in_use(wrong), pytest.raises(DeliveryFailed) as failed:
        deliver_email(message("notify.email", to="a@example.org", template="case_feedback_email",
                              personalisation=FEEDBACK))
    assert (failed.value.retry, failed.value.status_code) == (False, 403)
    assert notify.received == []


def test_a_server_error_is_retried(notify):
    notify.fail_next(1, status=500)
    with pytest.raises(DeliveryFailed) as failed:
        deliver_sms(message("notify.sms", to=MOBILE_E164, template="case_feedback_sms",
                            personalisation=FEEDBACK))
    assert (failed.value.retry, failed.value.status_code) == (True, 500)
    assert "HTTP 500" in failed.value.reason
    deliver_sms(message("notify.sms", to=MOBILE_E164, template="case_feedback_sms",
                        personalisation=FEEDBACK))  # the outage is over
    assert len(notify.received) == 1


def test_notifys_rate_limit_is_retried_later(notify):
    notify.fail_next(1, status=429)
    with pytest.raises(DeliveryFailed) as failed:
        deliver_email(message("notify.email", to="a@example.org", template="case_feedback_email",
                              personalisation=FEEDBACK))
    assert (failed.value.retry, failed.value.status_code) == (True, 429)


def test_notify_out_of_reach_is_retried(settings):
    with FakeNotifyServer(api_key=settings.NOTIFY_API_KEY,
                          templates=settings.NOTIFY_TEMPLATES) as gone:
        settings.NOTIFY_BASE_URL = gone.url
    with pytest.raises(DeliveryFailed) as failed:
        deliver_email(message("notify.email", to="a@example.org", template="case_feedback_email",
                              personalisation=FEEDBACK))
    assert failed.value.retry is True
    assert "could not be reached" in failed.value.reason


def test_a_bad_number_is_refused_with_400_and_never_retried(notify):
    with pytest.raises(DeliveryFailed) as failed:
        deliver_sms(message("notify.sms", to="01449 720000", template="case_feedback_sms",
                            personalisation=FEEDBACK))
    assert (failed.value.retry, failed.value.status_code) == (False, 400)
    assert "phone_number Not a UK mobile number" in failed.value.reason


def test_missing_personalisation_is_refused_naming_the_field(notify):
    with pytest.raises(DeliveryFailed) as failed:
        deliver_email(message("notify.email", to="a@example.org", template="case_feedback_email",
                              personalisation={"message": "Hello"}))
    assert failed.value.retry is False
    assert "Missing personalisation: case_reference, service" in failed.value.reason


def test_an_unknown_template_name_or_a_short_payload_fails_without_a_request(notify):
    with pytest.raises(DeliveryFailed, match="no Notify template named 'welcome'") as failed:
        deliver_email(message("notify.email", to="a@example.org", template="welcome"))
    assert failed.value.retry is False
    with pytest.raises(DeliveryFailed, match="needs to in its payload") as failed:
        deliver_email(message("notify.email", template="case_feedback_email"))
    assert failed.value.retry is False
    assert notify.received == []


def test_the_handlers_are_registered_for_the_notify_kinds():
    assert handler_for("notify.email") is deliver_email
    assert handler_for("notify.sms") is deliver_sms


# --- the fake server checks what Notify checks ---------------------------------------------


def test_the_fake_notify_wants_a_fresh_token_signed_with_the_keys_secret(notify):
    url = f"{notify.url}/v2/notifications/email"
    body = {"email_address": "a@example.org",
            "template_id": django_settings.NOTIFY_TEMPLATES["case_feedback_email"],
            "personalisation": FEEDBACK}
    assert post(url, body, None) == (401, {"status_code": 401, "errors": [
        {"error": "AuthError",
         "message": "Unauthorized: authentication token must be provided"}]})
    status, answer = post(url, body, token(iat=time.time() - 60))
    assert status == 403
    assert answer["errors"][0]["message"] == ("Error: Your system clock must be accurate to "
                                              "within 30 seconds")
    assert post(url, body, token(key=WRONG_KEY))[0] == 403
    assert post(url, body, "not-a-jwt")[0] == 403
    assert notify.received == []
    status, answer = post(url, body, token())
    assert status == 201
    assert set(answer) >= {"id", "reference", "content", "uri", "template"}
    assert answer["template"]["id"] == body["template_id"]


def test_the_fake_notify_answers_a_bad_request_in_notifys_error_shape(notify):
    sms_template = django_settings.NOTIFY_TEMPLATES["case_feedback_sms"]
    url = f"{notify.url}/v2/notifications/sms"
    assert post(url, {"phone_number": MOBILE_E164}, token()) == (400, {
        "status_code": 400, "errors": [{"error": "ValidationError",
                                        "message": "template_id is a required property"}]})
    status, answer = post(url, {"phone_number": MOBILE_E164,
                                "template_id": "00000000-0000-4000-8000-000000000000"}, token())
    assert (status, answer["errors"][0]["message"]) == (400, "Template not found")
    status, answer = post(url, {"phone_number": MOBILE_E164, "template_id": django_settings
                                .NOTIFY_TEMPLATES["case_feedback_email"]}, token())
    assert (status, answer["errors"][0]["message"]) == (
        400, "email template is not suitable for sms notification")
    status, answer = post(f"{notify.url}/v2/notifications/email",
                          {"template_id": sms_template}, token())
    assert answer["errors"] == [{"error": "ValidationError",
                                 "message": "email_address is a required property"}]
    assert notify.received == []


def test_what_the_fake_notify_received_is_listed_as_json(notify):
    NotifyNotifier().send_email("m.okafor@example.org", "case_feedback_email", FEEDBACK)
    with urllib.request.urlopen(f"{notify.url}/_received", timeout=5) as response:
        listed = json.load(response)["notifications"]
    assert [(item["type"], item["to"]) for item in listed] == [
        ("email", "m.okafor@example.org")]


def test_the_fake_notifier_records_what_it_was_asked_to_send():
    fake = FakeNotifier()
    with notifier_in_use(fake):
        deliver_sms(message("notify.sms", to=MOBILE_E164, template="case_feedback_sms",
                            personalisation=FEEDBACK, reference="ref-1"))
    assert [(sent["kind"], sent["to"], sent["reference"]) for sent in fake.sent] == [
        ("sms", MOBILE_E164, "ref-1")]
    fake.fail_next(NotifyError("down", retry=True, status_code=503))
    with notifier_in_use(fake), pytest.raises(DeliveryFailed) as failed:
        deliver_sms(message("notify.sms", to=MOBILE_E164, template="case_feedback_sms"))
    assert (failed.value.retry, failed.value.status_code) == (True, 503)


# --- feedback that really goes -------------------------------------------------------------


@pytest.fixture
def officer(db):
    return a_back_office_officer(a_team(MID_SUFFOLK))


@pytest.mark.django_db
def test_email_feedback_goes_through_the_outbox_to_notify_and_is_marked_delivered(
        notify, officer):
    resident = a_resident()
    do_add_email(resident, "m.okafor@example.org")
    case = a_case(person=resident)
    feedback = do_send_feedback(case, officer, "We have booked the crew for Thursday")
    outbox = OutboxMessage.objects.get(key=f"feedback:{feedback.pk}")
    assert outbox.kind == "notify.email"
    assert outbox.payload == {
        "to": "m.okafor@example.org", "template": "case_feedback_email",
        "reference": f"feedback:{feedback.pk}",
        "personalisation": {"case_reference": case.reference,
                            "message": "We have booked the crew for Thursday",
                            "service": case.service.label},
        "consent_of": resident.pk}  # the worker asks again before sending
    assert Worker().run_once() == (1, 0)
    [received] = notify.received
    assert (received["to"], received["reference"]) == ("m.okafor@example.org",
                                                       f"feedback:{feedback.pk}")
    assert case.reference in received["content"]["subject"]
    feedback.refresh_from_db()
    outbox.refresh_from_db()
    assert feedback.delivered_at is not None
    assert outbox.status == OutboxMessage.Status.DELIVERED


@pytest.mark.django_db
def test_a_resolved_case_texts_its_answer_to_a_mobile_in_e164(notify, officer):
    resident = a_resident(preferred_channel="sms")
    do_add_phone(resident, "07712 345678")
    case = a_case(person=resident)
    do_resolve_case(case, officer, "The crew emptied your bin this morning")
    [feedback] = case.feedback.all()
    outbox = OutboxMessage.objects.get(key=f"feedback:{feedback.pk}")
    assert (outbox.kind, outbox.payload["to"]) == ("notify.sms", MOBILE_E164)
    Worker().run_once()
    assert [item["to"] for item in notify.received] == [MOBILE_E164]
    feedback.refresh_from_db()
    assert feedback.delivered_at is not None


@pytest.mark.django_db
def test_feedback_refused_by_notify_stays_undelivered_and_goes_to_the_dead_letters(
        notify, officer, settings):
    settings.NOTIFY_API_KEY = WRONG_KEY
    resident = a_resident()
    do_add_email(resident, "m.okafor@example.org")
    feedback = do_send_feedback(a_case(person=resident), officer, "Hello")
    assert Worker().run_once() == (0, 1)
    outbox = OutboxMessage.objects.get(key=f"feedback:{feedback.pk}")
    assert outbox.status == OutboxMessage.Status.DEAD
    assert "HTTP 403" in outbox.last_error
    feedback.refresh_from_db()
    assert feedback.delivered_at is None


@pytest.mark.django_db
def test_calls_and_letters_are_left_for_the_team_and_put_nothing_in_the_outbox(officer):
    called = a_resident()
    do_add_phone(called, "01449 720000")
    by_phone = do_send_feedback(a_case(person=called), officer, "Hello")
    by_letter = do_send_feedback(a_case(person=a_resident()), officer, "Hello")
    assert (by_phone.channel, by_letter.channel) == ("phone", "letter")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_feedback_is_marked_delivered_once(officer):
    resident = a_resident()
    do_add_email(resident, "m.okafor@example.org")
    feedback = do_send_feedback(a_case(person=resident), officer, "Hello")
    assert do_mark_feedback_delivered(feedback.pk) is True
    first = Feedback.objects.get(pk=feedback.pk).delivered_at
    assert do_mark_feedback_delivered(feedback.pk) is False
    assert Feedback.objects.get(pk=feedback.pk).delivered_at == first


@pytest.mark.django_db
def test_enqueueing_the_same_feedback_again_adds_no_second_message(officer):
    resident = a_resident()
    do_add_email(resident, "m.okafor@example.org")
    feedback = do_send_feedback(a_case(person=resident), officer, "Hello")
    first = OutboxMessage.objects.get(key=f"feedback:{feedback.pk}")
    again = do_enqueue(kind="notify.email", payload=first.payload, key=first.key)
    assert again.pk == first.pk
    assert OutboxMessage.objects.count() == 1


# --- serving it: beside the demo, or as `onestop fake_notify` ------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_demo_serves_the_fake_where_notify_base_url_points_on_this_machine(settings):
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{free_port()}"
    server, line = serve_beside_demo()
    try:
        assert server is not None and server.url == settings.NOTIFY_BASE_URL
        assert f"{server.url}/_received" in line
        NotifyNotifier().send_sms(MOBILE_E164, "case_feedback_sms", FEEDBACK)
        assert len(server.received) == 1
        # A second demo on the same machine finds the port taken and says so.
        again, line = serve_beside_demo()
        assert again is None and "is taken" in line
    finally:
        server.stop()


def test_the_demo_starts_no_fake_when_notify_base_url_points_elsewhere(settings):
    settings.NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"
    assert serve_beside_demo() == (
        None, "Emails and texts go to the Notify service at "
              "https://api.notifications.service.gov.uk (NOTIFY_BASE_URL).")


def test_onestop_fake_notify_serves_the_api_until_stopped(settings):
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("onestop")), "fake_notify", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "ONESTOP_ENV": "test", "PYTHONUNBUFFERED": "1"})
    try:
        assert f"http://127.0.0.1:{port}" in process.stdout.readline()
        settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{port}"
        NotifyNotifier().send_email("m.okafor@example.org", "case_feedback_email", FEEDBACK,
                                    reference="feedback:9")
        with urllib.request.urlopen(f"{settings.NOTIFY_BASE_URL}/_received",
                                    timeout=5) as response:
            [received] = json.load(response)["notifications"]
        assert received["reference"] == "feedback:9"
        assert "email to m.okafor@example.org: case_feedback_email (feedback:9)" in (
            process.stdout.readline())
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def test_onestop_fake_notify_refuses_a_port_out_of_range():
    with pytest.raises(CommandError, match="--port must be between 1 and 65535"):
        call_command("fake_notify", "--port", "70000")


def test_onestop_fake_notify_will_not_stand_in_for_notify_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="for demo and test only"):
        call_command("fake_notify")


@pytest.mark.django_db
def test_feedback_that_notify_took_is_not_sent_again_when_marking_it_delivered_fails(
        notify, officer, monkeypatch, caplog):
    def broken(feedback_id, at=None):
        raise RuntimeError("the cases database table is locked")

    monkeypatch.setattr("onestop.cases.actions.do_mark_feedback_delivered", broken)
    resident = a_resident()
    do_add_email(resident, "m.okafor@example.org")
    feedback = do_send_feedback(a_case(person=resident), officer, "Hello")
    assert Worker().run_once() == (1, 0)  # Notify answered 2xx: the send is final
    outbox = OutboxMessage.objects.get(key=f"feedback:{feedback.pk}")
    assert outbox.status == OutboxMessage.Status.DELIVERED and outbox.attempts == 1
    assert "recording it failed (not sent again)" in caplog.text
    OutboxMessage.objects.filter(pk=outbox.pk).update(next_attempt_at=outbox.created_at)
    assert Worker().run_once() == (0, 0)
    assert len(notify.received) == 1
    feedback.refresh_from_db()
    assert feedback.delivered_at is None  # left for the team to see, not a second email


@pytest.mark.django_db
def test_feedback_is_marked_delivered_in_the_transaction_recording_the_delivery(
        officer):
    resident = a_resident()
    do_add_email(resident, "m.okafor@example.org")
    feedback = do_send_feedback(a_case(person=resident), officer, "Hello")
    outbox = OutboxMessage.objects.get(key=f"feedback:{feedback.pk}")
    with notifier_in_use(FakeNotifier()) as fake:
        deliver_email(outbox)  # the handler alone only sends
        assert len(fake.sent) == 1
    feedback.refresh_from_db()
    assert feedback.delivered_at is None
