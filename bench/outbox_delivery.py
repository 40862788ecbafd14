"""How fast the outbox delivers: two `onestop worker` processes to a local receiver.

Run from the checkout (PostgreSQL on 127.0.0.1:5432, trust auth as user postgres):

    .venv/bin/python bench/outbox_delivery.py [--messages 5000] [--latency-messages 1000]
        [--rate 100] [--workers 2] [--batch 20] [--poll 0.1] [--repeats 3]

Set-up, not timed: the database `onestop_outbox_bench` (`--database-url`) is created if
missing and migrated; each run empties the outbox. The receiver is the tests' own
(tests/integrations/receiver.py): a threaded HTTP server in this process that checks every
signature and applies each Idempotency-Key once. The workers are real `onestop worker`
subprocesses, started and idle before anything is enqueued.

1. Throughput: `--messages` webhooks committed in one transaction; deliveries per second
   from that commit until the receiver has applied the last one.
2. Delay from commit to delivery: `--latency-messages` webhooks, one per transaction, at
   `--rate` per second (below the throughput, as in steady use); for each, the time from its
   commit returning here to the receiver getting it. Idle workers look for due messages
   every `--poll` seconds, which bounds the delay from below.

Each repeat checks that every message was applied exactly once and is marked delivered.
The summary gives the median over repeats of each figure.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ONESTOP = Path(sys.executable).with_name("onestop")
SECRET = "outbox-bench-secret-0123456789"


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = re.sub(r"/[^/]*$", "/postgres", url).replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def wait_recorded(total: int) -> None:
    """The receiver applies a message before answering; the worker records it after."""
    from onestop.integrations.models import OutboxMessage

    deadline = time.monotonic() + 60
    while (delivered := OutboxMessage.objects.filter(status="delivered").count()) < total:
        assert time.monotonic() < deadline, f"{delivered} of {total} marked delivered"
        time.sleep(0.2)


def one_run(args, env) -> dict[str, float]:
    from django.db import transaction
    from tests.integrations.receiver import Receiver

    from onestop.integrations.endpoints import do_save_endpoint
    from onestop.integrations.models import DeliveryAttempt, OutboxMessage
    from onestop.integrations.outbox import do_enqueue

    DeliveryAttempt.objects.all().delete()
    OutboxMessage.objects.all().delete()
    receiver = Receiver(SECRET).start()
    endpoint = do_save_endpoint(slug="bench", name="Bench receiver", url=receiver.url,
                                secret=SECRET)
    workers = [subprocess.Popen([str(ONESTOP), "worker", "--batch", str(args.batch), "--poll",
                                 str(args.poll), "--worker-id", f"bench-{i}"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for i in range(args.workers)]
    try:
        for worker in workers:
            line = worker.stdout.readline()
            while line and "started" not in line:
                line = worker.stdout.readline()
        run_id = time.time_ns()

        keys = [f"bench:{run_id}:bulk:{i}" for i in range(args.messages)]
        with transaction.atomic():
            for key in keys:
                do_enqueue(kind="webhook", payload={"key": key, "n": 1}, key=key,
                           endpoint=endpoint)
        committed = time.time()
        assert receiver.wait_for(lambda r: len(r.applied) >= len(keys), timeout=600)
        last = max(d.received_at for d in receiver.deliveries)
        wait_recorded(len(keys))
        throughput = len(keys) / (last - committed)

        commits: dict[str, float] = {}
        interval = 1 / args.rate
        start = time.monotonic()
        for i in range(args.latency_messages):
            key = f"bench:{run_id}:steady:{i}"
            with transaction.atomic():
                do_enqueue(kind="webhook", payload={"key": key, "n": 1}, key=key,
                           endpoint=endpoint)
            commits[key] = time.time()
            pause = start + (i + 1) * interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        total = len(keys) + len(commits)
        assert receiver.wait_for(lambda r: len(r.applied) >= total, timeout=600)
        with receiver.lock:
            received = {d.key: d.received_at for d in receiver.deliveries if d.key in commits}
            assert set(receiver.applied.values()) == {1}, "a message was applied twice"
            assert all(d.signature_ok for d in receiver.deliveries)
            repeats = len(receiver.deliveries) - total
        delays = [received[k] - commits[k] for k in commits]
        wait_recorded(total)
        return {"throughput": throughput, "p50_ms": percentile(delays, 50) * 1000,
                "p99_ms": percentile(delays, 99) * 1000, "max_ms": max(delays) * 1000,
                "repeats": repeats}
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        receiver.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url",
                        default="postgres://postgres@127.0.0.1:5432/onestop_outbox_bench")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--latency-messages", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--poll", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["ONESTOP_ENV"] = "test"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    env = dict(os.environ)
    if args.database_url.startswith(("postgres://", "postgresql://")):
        ensure_database(args.database_url)
    subprocess.run([str(ONESTOP), "migrate", "--noinput", "-v", "0"], env=env, check=True)
    import django

    django.setup()
    runs = []
    for repeat in range(args.repeats):
        result = one_run(args, env)
        runs.append(result)
        print(f"run {repeat + 1}: {result['throughput']:.0f} deliveries/s; commit to delivery "
              f"p50 {result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
              f"max {result['max_ms']:.0f} ms; {result['repeats']} repeated sends", flush=True)
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"median of {len(runs)}: {median['throughput']:.0f} deliveries/s with "
          f"{args.workers} workers ({args.messages} messages); commit to delivery at "
          f"{args.rate:g}/s: p50 {median['p50_ms']:.0f} ms, p99 {median['p99_ms']:.0f} ms "
          f"(poll {args.poll:g} s)")


if __name__ == "__main__":
    main()
