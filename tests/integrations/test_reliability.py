"""Reliability with real processes: `onestop worker` subprocesses against a database of
their own, delivering to a local receiver that applies each Idempotency-Key once.

- a worker killed with SIGKILL mid-batch loses nothing, and nothing is applied twice;
- a receiver that is down (refusing connections, then answering 503) gets everything once
  it is back, after retries that back off;
- two workers on PostgreSQL never deliver the same message at the same time.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.integrations.receiver import Receiver, free_port

ONESTOP = Path(sys.executable).with_name("onestop")
SECRET = "reliability-secret-0123456789"
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _postgres_database(base_url: str):
    import psycopg

    name = f"onestop_outbox_{uuid.uuid4().hex[:8]}"
    admin_url = re.sub(r"/[^/]*$", "/postgres", base_url).replace("postgres://", "postgresql://",
                                                                   1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield re.sub(r"/[^/]*$", f"/{name}", base_url)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Outbox:
    """The workers' database, reached as the product reaches it: through `onestop`."""

    def __init__(self, database_url: str, log_dir: Path):
        self.database_url = database_url
        self.log_dir = log_dir
        self.workers: list[subprocess.Popen] = []

    def env(self, **extra: str) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.database_url, "ONESTOP_ENV": "test",
                **extra}

    def onestop(self, *args: str) -> str:
        done = subprocess.run([str(ONESTOP), *args], env=self.env(), capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, f"onestop {' '.join(args)} failed:\n{done.stderr}"
        return done.stdout

    def shell(self, code: str):
        """Run Python in `onestop shell`; it prints one JSON value, returned here."""
        return json.loads(self.onestop("shell", "-c", code).strip().splitlines()[-1])

    def enqueue(self, url: str, keys: list[str]) -> None:
        """One endpoint at `url` and a webhook per key, committed in one transaction."""
        self.shell(f"""
import json
from django.db import transaction
from onestop.integrations.endpoints import do_save_endpoint
from onestop.integrations.models import DeliveryAttempt, OutboxMessage
from onestop.integrations.outbox import do_enqueue
DeliveryAttempt.objects.all().delete()
OutboxMessage.objects.all().delete()
with transaction.atomic():
    endpoint = do_save_endpoint(slug="back-office", name="Back office", url={url!r},
                                secret={SECRET!r})
    for key in {keys!r}:
        do_enqueue(kind="webhook", payload={{"key": key}}, key=key, endpoint=endpoint)
print(json.dumps(OutboxMessage.objects.count()))
""")

    def messages(self) -> dict[str, dict]:
        """key → status, attempts and each attempt's (start offset, ok, worker)."""
        return self.shell("""
import json
from onestop.integrations.models import OutboxMessage
rows = {}
for m in OutboxMessage.objects.prefetch_related("delivery_attempts"):
    rows[m.key] = {"status": m.status, "attempts": m.attempts, "tries": [
        [a.started_at.timestamp(), a.ok, a.worker] for a in m.delivery_attempts.all()]}
print(json.dumps(rows))
""")

    def start_worker(self, *args: str, **env: str) -> subprocess.Popen:
        log = open(self.log_dir / f"worker-{len(self.workers)}.log", "w")
        worker = subprocess.Popen([str(ONESTOP), "worker", "--poll", "0.1", *args],
                                  env=self.env(**env), stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    base = os.environ.get("DATABASE_URL", "")
    if ON_POSTGRES:
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('outbox') / 'onestop.sqlite3'}"


@pytest.fixture(scope="module")
def migrated(database_url, tmp_path_factory):
    outbox = Outbox(database_url, tmp_path_factory.mktemp("worker-logs"))
    outbox.onestop("migrate", "--noinput")
    return database_url


@pytest.fixture
def outbox(migrated, tmp_path):
    outbox = Outbox(migrated, tmp_path)
    yield outbox
    outbox.stop_workers()


@pytest.fixture
def receiver():
    receiver = Receiver(SECRET)
    yield receiver
    receiver.stop()


def wait_until(condition, timeout: float, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return condition()


def all_delivered(outbox: Outbox, count: int):
    rows = outbox.messages()
    done = [r for r in rows.values() if r["status"] == "delivered"]
    return rows if len(done) == count else None


def stop_gracefully(worker: subprocess.Popen) -> int:
    worker.send_signal(signal.SIGTERM)
    return worker.wait(timeout=20)


def test_a_worker_killed_mid_batch_loses_nothing_and_nothing_is_applied_twice(
        outbox, receiver):
    keys = [f"kill:{i}" for i in range(10)]
    in_flight = keys[4]
    receiver.stall[in_flight] = 30  # applied, then no answer: the kill lands meanwhile
    receiver.start()
    outbox.enqueue(receiver.url, keys)
    first = outbox.start_worker("--batch", "10", "--lease", "3", "--worker-id", "first")
    assert receiver.stalled.wait(60), "the first worker never reached the stalled message"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    with receiver.lock:
        assert set(receiver.applied) == set(keys[:5])  # the rest were still to go
    rows = outbox.messages()
    assert rows[in_flight]["status"] == "pending"  # its delivery was never recorded
    assert {rows[k]["status"] for k in keys[5:]} == {"pending"}  # leased to the dead worker

    second = outbox.start_worker("--batch", "10", "--lease", "3", "--worker-id", "second")
    rows = wait_until(lambda: all_delivered(outbox, len(keys)), timeout=60)
    assert rows, f"not everything was delivered: {outbox.messages()}"
    assert stop_gracefully(second) == 0
    assert receiver.applied == {key: 1 for key in keys}  # each applied exactly once
    with receiver.lock:
        sent = [d.key for d in receiver.deliveries]
    assert sent.count(in_flight) == 2  # delivered again after the kill, deduplicated
    assert all(d.signature_ok for d in receiver.deliveries)
    assert {w for k in keys[5:] for _, _, w in rows[k]["tries"]} == {"second"}
    assert rows[in_flight]["tries"] and rows[in_flight]["tries"][-1][2] == "second"


def test_sigterm_lets_a_worker_finish_the_message_in_hand_and_give_back_the_rest(
        outbox, receiver):
    keys = [f"term:{i}" for i in range(6)]
    receiver.stall[keys[2]] = 2  # slow, but answered: the worker is told in time
    receiver.start()
    outbox.enqueue(receiver.url, keys)
    worker = outbox.start_worker("--batch", "10", "--worker-id", "terminated")
    assert receiver.stalled.wait(60)
    assert stop_gracefully(worker) == 0
    rows = outbox.messages()
    assert [rows[k]["status"] for k in keys] == ["delivered"] * 3 + ["pending"] * 3
    leases = outbox.shell("""
import json
from onestop.integrations.models import OutboxMessage
print(json.dumps(list(OutboxMessage.objects.filter(status="pending", leased_by="")
                      .values_list("key", flat=True).order_by("key"))))
""")
    assert leases == keys[3:]  # given back at once, not left to run out
    assert receiver.applied == {key: 1 for key in keys[:3]}


def test_a_receiver_down_for_a_while_gets_everything_once_it_is_back(outbox, receiver):
    keys = [f"outage:{i}" for i in range(5)]
    receiver.port = free_port()  # nothing listens there yet: connections are refused
    outbox.enqueue(receiver.url, keys)
    worker = outbox.start_worker("--batch", "10", "--max-attempts", "30",
                                 OUTBOX_BACKOFF_UNIT_MS="100", OUTBOX_BACKOFF_MAX_SECONDS="2")
    # Down until every message has failed three times (the worker is slow to start on a
    # busy machine, so wait for the attempts rather than for a set time).
    assert wait_until(lambda: all(r["attempts"] >= 3 for r in outbox.messages().values()),
                      timeout=60), f"the worker did not retry: {outbox.messages()}"
    receiver.answer_status = 503  # back, but still not ready
    receiver.start()
    assert receiver.wait_for(lambda r: len(r.deliveries) >= len(keys), timeout=30)
    assert not receiver.applied
    time.sleep(1)
    receiver.answer_status = 200
    rows = wait_until(lambda: all_delivered(outbox, len(keys)), timeout=60)
    assert rows, f"not everything was delivered: {outbox.messages()}"
    assert stop_gracefully(worker) == 0
    assert receiver.applied == {key: 1 for key in keys}
    for key in keys:
        tries = rows[key]["tries"]
        assert len(tries) >= 5 and [ok for _, ok, _ in tries] == [False] * (len(tries) - 1) + [
            True]
        gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(tries)]
        # Backed off: the waits grow (unit 100 ms doubling, jittered to half), capped at 2 s.
        assert gaps[-1] > gaps[0], f"{key}: waits {gaps} did not grow"
        assert rows[key]["attempts"] == len(tries)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite has no row locks: it runs one worker "
                                            "(run with DATABASE_URL=postgres://…)")
def test_two_workers_on_postgresql_share_the_load_and_never_deliver_a_message_twice(
        outbox, receiver):
    keys = [f"shared:{i}" for i in range(200)]
    receiver.delay = 0.005
    receiver.start()
    outbox.enqueue(receiver.url, keys)
    workers = [outbox.start_worker("--batch", "5", "--worker-id", name)
               for name in ("left", "right")]
    rows = wait_until(lambda: all_delivered(outbox, len(keys)), timeout=120, every=1)
    assert rows, "not everything was delivered"
    assert [stop_gracefully(worker) for worker in workers] == [0, 0]
    with receiver.lock:
        sent = [d.key for d in receiver.deliveries]
    assert sorted(sent) == sorted(keys)  # each sent exactly once: no overlap at all
    assert max(receiver.most_in_flight.values()) == 1
    by_worker = {w for r in rows.values() for _, _, w in r["tries"]}
    assert by_worker == {"left", "right"}  # both took part
