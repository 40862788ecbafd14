"""The fake GOV.UK Notify sends delivery receipts as Notify does: to a callback URL with a
bearer token, with the status Notify gives its simulated recipients; and, with real
processes, a receipt from `onestop fake_notify` reaches OneStop's receipts endpoint."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from onestop.cases.actions import do_send_feedback
from onestop.cases.models import CaseEvent, Feedback
from onestop.integrations.fake_notify import (
    CALLBACK_RETRY_WAITS,
    FakeNotifyServer,
    serve_beside_demo,
    simulated_status,
)
from onestop.integrations.notify import NotifyNotifier
from onestop.integrations.worker import Worker
from onestop.people.actions import do_add_email
from tests.cases.factories import a_back_office_officer, a_case, a_team
from tests.integrations.receiver import free_port
from tests.personas import MID_SUFFOLK, a_resident

FEEDBACK = {
    "case_reference": "C-000001",
    "message": "The crew comes on Thursday",
    "service": "Missed bin",
}
TOKEN = "a-callback-token-for-tests"
RECEIPT_FIELDS = {
    "id",
    "reference",
    "to",
    "status",
    "created_at",
    "completed_at",
    "sent_at",
    "notification_type",
    "template_id",
    "template_version",
}


class CallbackReceiver:
    """Takes the fake's receipts: keeps each one's headers and body, answers `answers` in
    turn (then 200)."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, dict]] = []
        self.answers: list[int] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.arrived:
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    receiver.received.append((dict(self.headers), body))
                    receiver.arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/receipts"
        threading.Thread(
            target=self._server.serve_forever, daemon=True, kwargs={"poll_interval": 0.05}
        ).start()

    def wait_for(self, count: int, timeout: float = 10) -> list[tuple[dict, dict]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver():
    receiver = CallbackReceiver()
    yield receiver
    receiver.stop()


@pytest.fixture
def notify(settings, receiver):
    with FakeNotifyServer(
        api_key=settings.NOTIFY_API_KEY,
        templates=settings.NOTIFY_TEMPLATES,
        callback_url=receiver.url,
        callback_token=TOKEN,
        callback_delay=0,
    ) as server:
        settings.NOTIFY_BASE_URL = server.url
        yield server


def wait_until(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("gave up waiting")


# --- the fake's receipts -------------------------------------------------------------------


def test_after_accepting_an_email_the_fake_posts_notifys_receipt_with_the_bearer_token(
    notify, receiver
):
    notification_id = NotifyNotifier().send_email(
        "m.okafor@example.org", "case_feedback_email", FEEDBACK, reference="feedback:7"
    )
    [(headers, body)] = receiver.wait_for(1)
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Content-Type"] == "application/json"
    assert set(body) == RECEIPT_FIELDS
    assert (
        body["id"],
        body["reference"],
        body["to"],
        body["status"],
        body["notification_type"],
    ) == (notification_id, "feedback:7", "m.okafor@example.org", "delivered", "email")
    assert body["template_id"] == django_settings.NOTIFY_TEMPLATES["case_feedback_email"]
    for field in ("created_at", "sent_at", "completed_at"):  # Notify's format, in UTC
        assert dt.datetime.strptime(body[field], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert body["created_at"] <= body["completed_at"]
    callback = wait_until(lambda: notify.received[0]["callback"])
    assert (callback["status"], callback["answered"]) == ("delivered", 200)


@pytest.mark.parametrize(
    ("recipient", "status"),
    [
        ("simulate-delivered@notifications.service.gov.uk", "delivered"),
        ("simulate-delivered-2@notifications.service.gov.uk", "delivered"),
        ("temp-fail@simulator.notify", "temporary-failure"),
        ("Perm-Fail@simulator.notify", "permanent-failure"),
        ("anyone@example.org", "delivered"),
    ],
)
def test_simulated_email_addresses_get_notifys_simulated_receipts(
    notify, receiver, recipient, status
):
    NotifyNotifier().send_email(recipient, "case_feedback_email", FEEDBACK)
    [(_, body)] = receiver.wait_for(1)
    assert body["status"] == status


@pytest.mark.parametrize(
    ("number", "status"),
    [
        ("07700900000", "delivered"),
        ("07700900111", "delivered"),
        ("07700900222", "delivered"),
        ("07700900003", "temporary-failure"),
        ("+447700900002", "permanent-failure"),
        ("07712 345678", "delivered"),
    ],
)
def test_simulated_phone_numbers_are_accepted_and_get_notifys_simulated_receipts(
    notify, receiver, number, status
):
    # Notify's smoke-test numbers are in Ofcom's drama range, which a real send refuses.
    NotifyNotifier().send_sms(number, "case_feedback_sms", FEEDBACK)
    [(_, body)] = receiver.wait_for(1)
    assert (body["to"], body["status"], body["notification_type"]) == (number, status, "sms")


def test_only_notifys_own_numbers_are_simulated():
    assert simulated_status("sms", "07700900004") is None
    assert simulated_status("sms", "0044 7700 900003") == "temporary-failure"
    assert simulated_status("email", "07700900002") is None
    assert simulated_status("email", None) is None


def test_a_receipt_answered_5xx_is_sent_again_and_one_answered_4xx_is_not(notify, receiver):
    receiver.answers = [503, 500]
    NotifyNotifier().send_email("a@example.org", "case_feedback_email", FEEDBACK)
    received = receiver.wait_for(3)
    assert len({body["id"] for _, body in received}) == 1  # the same receipt each time
    assert wait_until(lambda: notify.received[0]["callback"])["answered"] == 200
    receiver.answers = [400]
    NotifyNotifier().send_email("b@example.org", "case_feedback_email", FEEDBACK)
    callback = wait_until(lambda: notify.received[1]["callback"])
    assert callback["answered"] == 400
    time.sleep(CALLBACK_RETRY_WAITS[0] + 0.3)
    assert len(receiver.received) == 4


def test_without_a_callback_url_the_fake_sends_no_receipt(settings, receiver):
    with FakeNotifyServer(
        api_key=settings.NOTIFY_API_KEY, templates=settings.NOTIFY_TEMPLATES
    ) as server:
        settings.NOTIFY_BASE_URL = server.url
        NotifyNotifier().send_email("a@example.org", "case_feedback_email", FEEDBACK)
        time.sleep(0.5)
        assert server.received[0]["callback"] is None
    assert receiver.received == []


def test_a_refused_send_gets_no_receipt(notify, receiver):
    with pytest.raises(Exception, match="Not a valid email address"):
        NotifyNotifier().send_email("not-an-address", "case_feedback_email", FEEDBACK)
    time.sleep(0.3)
    assert receiver.received == []


def test_a_callback_url_needs_a_token_and_http(settings):
    with pytest.raises(ValueError, match="needs the bearer token"):
        FakeNotifyServer(
            api_key=settings.NOTIFY_API_KEY,
            templates={},
            callback_url="http://127.0.0.1:1/receipts",
        )
    with pytest.raises(ValueError, match="is not http"):
        FakeNotifyServer(
            api_key=settings.NOTIFY_API_KEY,
            templates={},
            callback_url="ftp://127.0.0.1/receipts",
            callback_token=TOKEN,
        )


def test_the_demos_fake_sends_receipts_where_it_is_told(settings, receiver):
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{free_port()}"
    server, line = serve_beside_demo(callback_url=receiver.url, callback_token=TOKEN)
    try:
        assert f"it sends delivery receipts to {receiver.url}" in line
        NotifyNotifier().send_email("perm-fail@simulator.notify", "case_feedback_email", FEEDBACK)
        [(headers, body)] = receiver.wait_for(1)
        assert (headers["Authorization"], body["status"]) == (
            f"Bearer {TOKEN}",
            "permanent-failure",
        )
    finally:
        server.stop()


def test_onestop_fake_notify_wants_a_callback_url_for_a_token():
    with pytest.raises(CommandError, match="--callback-token needs --callback-url"):
        call_command("fake_notify", "--callback-token", TOKEN)
    with pytest.raises(CommandError, match=r"--callback-url: .* is not http"):
        call_command("fake_notify", "--port", str(free_port()), "--callback-url", "localhost")


# --- real processes: `onestop fake_notify` posting to OneStop's receipts endpoint ----------


@pytest.fixture
def fake_notify_process(live_server, settings):
    """`onestop fake_notify` in its own process, sending receipts to the live server with
    the settings' callback token (the test default, as the demo would)."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("onestop")),
            "fake_notify",
            "--port",
            str(port),
            "--callback-url",
            f"{live_server.url}/api/v1/notify/receipts",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ONESTOP_ENV": "test", "PYTHONUNBUFFERED": "1"},
    )
    try:
        first_line = process.stdout.readline()
        assert f"delivery receipts go to {live_server.url}/api/v1/notify/receipts" in first_line
        settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{port}"
        settings.NOTIFY_TIMEOUT_SECONDS = 5
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_feedback_shows_delivered_or_failed_once_the_fake_notify_process_sends_receipts(
    fake_notify_process, client
):
    officer = a_back_office_officer(a_team(MID_SUFFOLK))
    sent = {}
    for email in ("m.okafor@example.org", "perm-fail@simulator.notify"):
        resident = a_resident()
        do_add_email(resident, email)
        sent[email] = do_send_feedback(a_case(person=resident), officer, "Booked for Thursday")
    assert Worker().run_once() == (2, 0)

    def statuses():
        rows = dict(
            Feedback.objects.filter(pk__in=[f.pk for f in sent.values()]).values_list(
                "to", "notify_status"
            )
        )
        return rows if all(rows.values()) else None

    assert wait_until(statuses) == {
        "m.okafor@example.org": "delivered",
        "perm-fail@simulator.notify": "permanent-failure",
    }
    failed = sent["perm-fail@simulator.notify"]
    [event] = CaseEvent.objects.filter(case=failed.case_id, kind=CaseEvent.Kind.FEEDBACK_FAILED)
    assert "perm-fail@simulator.notify could not be delivered" in event.note
    client.force_login(officer)
    page = client.get(f"/cases/{failed.case.reference}/").content.decode()
    assert "the email address is not working (permanent failure)" in page
    page = client.get(f"/cases/{sent['m.okafor@example.org'].case.reference}/").content.decode()
    assert "delivered to the resident" in page
