"""The outbox: enqueueing with the change, signed webhooks, retries, dead letters."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop.integrations.endpoints import do_save_endpoint, endpoint_for_team
from onestop.integrations.handlers import DeliveryFailed, register, signature
from onestop.integrations.models import DeliveryAttempt, OutboxError, OutboxMessage
from onestop.integrations.outbox import do_enqueue, do_replay, do_replay_all_dead
from onestop.integrations.worker import MAX_BATCH, Worker, backoff
from onestop.staff.actions import do_create_team
from tests.integrations.receiver import Receiver, free_port
from tests.personas import authorities

pytestmark = pytest.mark.django_db
SECRET = "a-shared-secret-of-some-length"


@pytest.fixture
def receiver():
    receiver = Receiver(SECRET).start()
    yield receiver
    receiver.stop()


def an_endpoint(url: str, **extra):
    return do_save_endpoint(slug=extra.pop("slug", "waste-system"), name="Waste system",
                            url=url, secret=SECRET, **extra)


def a_webhook(endpoint, key: str = "life-event:1:530", payload=None):
    return do_enqueue(kind="webhook", payload=payload or {"event": "death", "person": 1},
                      key=key, endpoint=endpoint)


def fresh(message) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


def make_due(*messages) -> None:
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        next_attempt_at=timezone.now())


def test_enqueueing_a_key_twice_returns_the_first_message_and_adds_nothing():
    endpoint = an_endpoint("http://127.0.0.1:9/hooks")
    first = a_webhook(endpoint, payload={"n": 1})
    again = a_webhook(endpoint, payload={"n": 2})
    assert again.pk == first.pk and again.payload == {"n": 1}
    assert OutboxMessage.objects.count() == 1
    assert first.status == "pending" and first.attempts == 0


def test_a_message_commits_or_rolls_back_with_the_change_that_caused_it():
    endpoint = an_endpoint("http://127.0.0.1:9/hooks")
    with pytest.raises(RuntimeError), transaction.atomic():
        a_webhook(endpoint, key="rolled-back")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.filter(key="rolled-back").exists()


def test_enqueueing_refuses_bad_kinds_endpoints_keys_and_payloads():
    endpoint = an_endpoint("http://127.0.0.1:9/hooks")
    with pytest.raises(OutboxError, match="kind 'fax' is not one of"):
        do_enqueue(kind="fax", payload={}, key="k1")
    with pytest.raises(OutboxError, match="webhook message needs an endpoint"):
        do_enqueue(kind="webhook", payload={}, key="k2")
    with pytest.raises(OutboxError, match="goes to Notify, not to an endpoint"):
        do_enqueue(kind="notify.email", payload={}, key="k3", endpoint=endpoint)
    with pytest.raises(OutboxError, match="key is required"):
        do_enqueue(kind="notify.sms", payload={}, key="  ")
    with pytest.raises(OutboxError, match="not JSON-serialisable"):
        do_enqueue(kind="notify.sms", payload={"when": dt.date(2026, 1, 1)}, key="k4")
    assert not OutboxMessage.objects.exists()


def test_an_endpoint_needs_a_web_address_and_a_real_secret():
    with pytest.raises(OutboxError, match="is not an http"):
        do_save_endpoint(slug="x", name="X", url="ftp://example.org/", secret=SECRET)
    with pytest.raises(OutboxError, match="at least 16 characters"):
        do_save_endpoint(slug="x", name="X", url="https://example.org/", secret="short")


def test_a_team_s_active_endpoint_is_the_one_its_work_goes_to():
    team = do_create_team(slug="waste-team", name="Waste", authority=authorities("mid-suffolk")[0])
    assert endpoint_for_team(team) is None
    an_endpoint("https://old.example.org/", slug="a-old", team=team, active=False)
    current = an_endpoint("https://new.example.org/", slug="b-new", team=team)
    assert endpoint_for_team(team) == current
    assert endpoint_for_team(None) is None


def test_a_webhook_is_posted_signed_with_its_idempotency_key_and_marked_delivered(receiver):
    message = a_webhook(an_endpoint(receiver.url), payload={"event": "death", "person": 7})
    assert Worker(worker_id="test-worker").run(poll_seconds=0, once=True) == (1, 0)
    [delivery] = receiver.deliveries
    assert delivery.signature_ok and delivery.key == message.key
    assert delivery.payload == {"event": "death", "person": 7}
    assert delivery.headers["Content-Type"] == "application/json"
    assert abs(int(delivery.headers["X-OneStop-Timestamp"]) - delivery.received_at) < 5
    message = fresh(message)
    assert message.status == "delivered" and message.attempts == 1
    assert message.delivered_at is not None and message.leased_by == ""
    [attempt] = DeliveryAttempt.objects.filter(message=message)
    assert attempt.ok and attempt.status_code == 200 and attempt.worker == "test-worker"


def test_the_signature_is_the_hmac_of_the_timestamp_the_key_and_the_exact_body():
    body = json.dumps({"a": 1}).encode()
    signed = signature("k" * 16, body, timestamp="1790000000", key="life-event:1")
    assert signed == "sha256=" + hmac.new(b"k" * 16, b"1790000000.life-event:1." + body,
                                          hashlib.sha256).hexdigest()
    assert signed != signature("k" * 16, body + b" ", timestamp="1790000000", key="life-event:1")
    assert signed != signature("k" * 16, body, timestamp="1790000001", key="life-event:1")
    assert signed != signature("k" * 16, body, timestamp="1790000000", key="life-event:2")


def test_a_refusal_that_a_retry_cannot_change_goes_dead_at_once(receiver):
    receiver.answer_status = 422
    message = a_webhook(an_endpoint(receiver.url))
    Worker().run(poll_seconds=0, once=True)
    message = fresh(message)
    assert message.status == "dead" and message.attempts == 1
    assert "answered HTTP 422" in message.last_error
    assert DeliveryAttempt.objects.get(message=message).status_code == 422


def test_a_wrong_signature_is_refused_by_the_receiver_and_not_retried(receiver):
    message = do_enqueue(kind="webhook", payload={"a": 1}, key="bad-secret", endpoint=(
        do_save_endpoint(slug="wrong", name="Wrong", url=receiver.url,
                         secret="not-the-shared-secret")))
    Worker().run(poll_seconds=0, once=True)
    assert fresh(message).status == "dead" and "HTTP 401" in fresh(message).last_error
    assert not receiver.applied


@pytest.mark.parametrize("status", [503, 500, 429, 408])
def test_server_errors_and_try_later_answers_are_retried_with_backoff(receiver, status):
    receiver.answer_status = status
    message = a_webhook(an_endpoint(receiver.url))
    before = timezone.now()
    Worker().run(poll_seconds=0, once=True)
    message = fresh(message)
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at > before  # backed off, not due again at once
    assert f"HTTP {status}" in message.last_error
    receiver.answer_status = 200
    make_due(message)
    Worker().run(poll_seconds=0, once=True)
    assert fresh(message).status == "delivered" and fresh(message).attempts == 2
    assert DeliveryAttempt.objects.filter(message=message).count() == 2
    assert receiver.applied[message.key] == 1


def test_a_receiver_that_is_down_is_retried_and_the_attempts_are_bounded():
    message = a_webhook(an_endpoint(f"http://127.0.0.1:{free_port()}/hooks"))
    worker = Worker(max_attempts=3)
    for expected in ("pending", "pending", "dead"):
        make_due(message)
        worker.run_once()
        assert fresh(message).status == expected
    message = fresh(message)
    assert message.attempts == 3 and "refused" in message.last_error.lower()
    assert DeliveryAttempt.objects.filter(message=message, ok=False).count() == 3


def test_backoff_doubles_with_each_failure_jittered_and_capped():
    for failures in range(1, 8):
        wait = backoff(failures, unit_ms=1000, cap_seconds=3600).total_seconds()
        assert 2 ** failures / 2 <= wait <= 2 ** failures
    assert backoff(30, unit_ms=1000, cap_seconds=3600).total_seconds() <= 3600


def test_a_message_nobody_can_deliver_goes_dead_saying_so():
    message = do_enqueue(kind="notify.sms", payload={"to": "+447700900123"}, key="sms-1")
    from onestop.integrations import handlers

    saved = handlers._HANDLERS.pop("notify.sms", None)
    try:
        Worker().run(poll_seconds=0, once=True)
    finally:
        if saved:
            handlers._HANDLERS["notify.sms"] = saved
    assert fresh(message).status == "dead"
    assert "no handler for messages of kind 'notify.sms'" in fresh(message).last_error


def test_a_handler_that_raises_unexpectedly_is_retried_and_the_worker_goes_on():
    from onestop.integrations import handlers

    saved = dict(handlers._HANDLERS)
    calls = []

    @register("notify.email")
    def broken(message):
        calls.append(message.key)
        raise KeyError("template")

    try:
        first = do_enqueue(kind="notify.email", payload={}, key="email-1")
        Worker().run(poll_seconds=0, once=True)
    finally:
        handlers._HANDLERS.clear()
        handlers._HANDLERS.update(saved)
    assert calls == ["email-1"]
    assert fresh(first).status == "pending" and "KeyError" in fresh(first).last_error


def test_a_handler_failing_with_delivery_failed_is_recorded_with_its_reason():
    from onestop.integrations import handlers

    saved = dict(handlers._HANDLERS)

    @register("notify.sms")
    def refusing(message):
        raise DeliveryFailed("phone number is not a mobile", retry=False)

    try:
        message = do_enqueue(kind="notify.sms", payload={}, key="sms-2")
        Worker().run(poll_seconds=0, once=True)
    finally:
        handlers._HANDLERS.clear()
        handlers._HANDLERS.update(saved)
    assert fresh(message).status == "dead"
    assert fresh(message).last_error == "phone number is not a mobile"


def test_a_leased_message_is_not_claimed_again_until_its_lease_runs_out(receiver):
    message = a_webhook(an_endpoint(receiver.url))
    first = Worker(worker_id="first", lease_seconds=60)
    assert [m.pk for m in first.claim()] == [message.pk]
    assert Worker(worker_id="second").claim() == []
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_until=timezone.now() - dt.timedelta(seconds=1))
    assert [m.pk for m in Worker(worker_id="second").claim()] == [message.pk]
    assert fresh(message).leased_by == "second"


def test_a_stopping_worker_gives_back_the_messages_it_had_not_started(receiver):
    endpoint = an_endpoint(receiver.url)
    messages = [a_webhook(endpoint, key=f"m{i}") for i in range(3)]
    worker = Worker(worker_id="stopping")
    worker.stopping.set()
    claimed = worker.claim()
    worker.release(claimed)
    assert all(fresh(m).leased_by == "" and fresh(m).leased_until is None for m in messages)


def test_replaying_a_dead_letter_sends_it_again_keeping_its_attempts(receiver):
    receiver.answer_status = 400
    message = a_webhook(an_endpoint(receiver.url))
    Worker().run(poll_seconds=0, once=True)
    assert fresh(message).status == "dead"
    receiver.answer_status = 200
    replayed = do_replay(message.pk)
    assert replayed.status == "pending" and replayed.attempts == 1
    Worker().run(poll_seconds=0, once=True)
    assert fresh(message).status == "delivered" and fresh(message).attempts == 2
    with pytest.raises(OutboxError, match="only dead letters replay"):
        do_replay(message.pk)
    with pytest.raises(OutboxError, match="there is no outbox message"):
        do_replay(10**9)


def test_replaying_all_dead_letters_leaves_the_others_alone(receiver):
    receiver.answer_status = 410
    endpoint = an_endpoint(receiver.url)
    dead = [a_webhook(endpoint, key=f"dead-{i}") for i in range(3)]
    Worker().run(poll_seconds=0, once=True)
    receiver.answer_status = 200
    pending = a_webhook(endpoint, key="still-pending")
    assert do_replay_all_dead() == 3
    assert {fresh(m).status for m in dead} == {"pending"}
    assert fresh(pending).status == "pending"


@contextlib.contextmanager
def handling(kind: str, handler):
    from onestop.integrations import handlers

    saved = dict(handlers._HANDLERS)
    register(kind)(handler)
    try:
        yield
    finally:
        handlers._HANDLERS.clear()
        handlers._HANDLERS.update(saved)


def an_sms(key: str):
    return do_enqueue(kind="notify.sms", payload={"to": "+447700900123", "template": "t"},
                      key=key)


def take_over(message, worker_id: str, seconds: int = 60) -> None:
    """As if this message's lease ran out and worker `worker_id` claimed it."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_by=worker_id, leased_until=timezone.now() + dt.timedelta(seconds=seconds))


def test_a_message_whose_lease_ran_out_during_a_slow_batch_is_not_sent_by_that_worker():
    first, second = an_sms("sms-slow-1"), an_sms("sms-slow-2")
    sent = []

    def slow(message):
        sent.append((message.key, message.leased_by))
        if message.key == first.key:
            # The first delivery outlasted the batch's lease; another worker took the rest.
            take_over(second, "other-worker")

    with handling("notify.sms", slow):
        assert Worker(worker_id="slow-worker").run_once() == (1, 0)
        assert sent == [(first.key, "slow-worker")]
        assert fresh(second).status == "pending" and fresh(second).leased_by == "other-worker"
        assert not DeliveryAttempt.objects.filter(message=second).exists()


def test_each_delivery_renews_the_lease_only_while_the_worker_still_holds_it(receiver):
    message = a_webhook(an_endpoint(receiver.url))
    worker = Worker(worker_id="renewing", lease_seconds=60)
    [claimed] = worker.claim()
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_until=timezone.now() + dt.timedelta(seconds=5))
    assert worker.renew_lease(claimed)
    assert fresh(message).leased_until > timezone.now() + dt.timedelta(seconds=55)
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_until=timezone.now() - dt.timedelta(seconds=1))
    assert not worker.renew_lease(claimed)  # ran out, even though nobody took it yet
    take_over(message, "someone-else")
    assert not worker.renew_lease(claimed)
    assert fresh(message).leased_by == "someone-else"


def test_a_late_failure_from_a_worker_whose_lease_was_taken_over_is_only_recorded():
    message = an_sms("sms-late")
    late, current = Worker(worker_id="late"), Worker(worker_id="current")

    def refused_then_taken_over(msg):
        take_over(msg, "current")
        raise DeliveryFailed("Notify answered HTTP 400: not a mobile", retry=False)

    with handling("notify.sms", refused_then_taken_over):
        [claimed] = late.claim()
        assert late.deliver(claimed) is False
    message = fresh(message)
    assert message.status == "pending" and message.attempts == 0  # not dead, not counted
    assert message.leased_by == "current" and message.leased_until > timezone.now()
    assert DeliveryAttempt.objects.get(message=message).worker == "late"
    with handling("notify.sms", lambda msg: None):
        assert current.deliver(fresh(message)) is True  # the current holder's success wins
    message = fresh(message)
    assert message.status == "delivered" and message.attempts == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 2


def test_a_failure_from_the_worker_holding_the_lease_counts():
    message = an_sms("sms-mine")
    worker = Worker(worker_id="holder")
    with handling("notify.sms", lambda msg: (_ for _ in ()).throw(
            DeliveryFailed("Notify answered HTTP 400: not a mobile", retry=False))):
        [claimed] = worker.claim()
        worker.deliver(claimed)
    assert fresh(message).status == "dead" and fresh(message).attempts == 1


def test_the_batch_is_bounded():
    with pytest.raises(OutboxError, match=f"a whole number from 1 to {MAX_BATCH}"):
        Worker(batch=MAX_BATCH + 1)
    with pytest.raises(OutboxError, match="batch is 0"):
        Worker(batch=0)
    with pytest.raises(CommandError, match="--batch"):
        call_command("worker", "--once", "--batch", str(MAX_BATCH + 1))
    assert Worker(batch=MAX_BATCH).batch == MAX_BATCH


def test_only_webhook_outcomes_skip_waiting_for_the_disk(receiver):
    a_webhook(an_endpoint(receiver.url))
    an_sms("sms-durable")
    with handling("notify.sms", lambda msg: None), \
            CaptureQueriesContext(connection) as queries:
        assert Worker().run_once() == (2, 0)
    relaxed = [q["sql"] for q in queries if "synchronous_commit" in q["sql"]]
    # One per webhook outcome on PostgreSQL (SQLite has no such setting); none for Notify.
    assert len(relaxed) == (1 if connection.vendor == "postgresql" else 0)


def test_a_late_success_is_still_marked_delivered_so_the_new_holder_sends_nothing():
    message = an_sms("sms-late-success")
    late, current = Worker(worker_id="late"), Worker(worker_id="current")
    sent = []

    def taken_over_while_sending(msg):
        take_over(msg, "current")  # the lease ran out mid-send; "current" claimed it
        sent.append(msg.leased_by)

    with handling("notify.sms", taken_over_while_sending):
        [claimed] = late.claim()
        assert late.deliver(claimed) is True
        # The resident has the text: the worker now holding the lease must not send it.
        assert not current.renew_lease(fresh(message))
    assert sent == ["late"]
    assert fresh(message).status == "delivered" and fresh(message).attempts == 1
