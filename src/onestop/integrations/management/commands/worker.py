"""`onestop worker`: deliver the outbox."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from onestop.integrations.worker import MAX_BATCH, Worker


def _positive(kind, most=None):
    def parse(raw: str):
        value = kind(raw)
        if value <= 0 or (most is not None and value > most):
            raise ValueError(raw)
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its error message
    return parse


class Command(BaseCommand):
    help = ("Deliver outbox messages (webhooks, Notify) with retries and backoff; run several "
            "on PostgreSQL to share the load, one on SQLite. SIGTERM finishes the message in "
            "hand and exits.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="deliver what is due now, then exit")
        parser.add_argument("--batch", type=_positive(int, MAX_BATCH), default=20,
                            help=f"messages claimed at a time, 1 to {MAX_BATCH} (default 20)")
        parser.add_argument("--poll", type=_positive(float), default=1.0,
                            help="seconds to wait when nothing is due (default 1)")
        parser.add_argument("--max-attempts", type=_positive(int), default=None,
                            help="failed attempts before a message is dead "
                                 "(default OUTBOX_MAX_ATTEMPTS, 8)")
        parser.add_argument("--lease", type=_positive(int), default=None,
                            help="seconds a claimed message is this worker's before another "
                                 "may take it, renewed before each delivery: longer than one "
                                 "delivery's timeout (default OUTBOX_LEASE_SECONDS, 300)")
        parser.add_argument("--worker-id", default="",
                            help="name in each attempt's record (default host:pid:random)")

    def handle(self, *args, once: bool, batch: int, poll: float, max_attempts, lease,
               worker_id: str, **options):
        worker = Worker(batch=batch, max_attempts=max_attempts, lease_seconds=lease,
                        **({"worker_id": worker_id} if worker_id else {}))
        if worker.max_attempts < 1:
            raise CommandError("--max-attempts must be at least 1")
        signal.signal(signal.SIGTERM, lambda signum, frame: worker.stopping.set())
        signal.signal(signal.SIGINT, lambda signum, frame: worker.stopping.set())
        if connection.vendor == "sqlite" and options["verbosity"] >= 1:
            self.stdout.write("SQLite: run a single worker (PostgreSQL shares the load "
                              "between several)")
        if options["verbosity"] >= 1:
            self.stdout.write(f"worker {worker.worker_id} started", ending="\n")
            self.stdout.flush()
        delivered, failed = worker.run(poll_seconds=poll, once=once,
                                       refresh_connections=True)
        if options["verbosity"] >= 1:
            self.stdout.write(f"worker {worker.worker_id} stopped: {delivered} delivered, "
                              f"{failed} failed attempts")
