"""`onestop demo`: build the synthetic demo area, then serve it.

The build output ends with one `sample property: <district> <UPRN>` line per district,
so scripts (and the end-to-end tests) can pick a house to open without a query.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from onestop.authorities.models import Authority
from onestop.demo.actions import DemoError, do_build_demo_area
from onestop.demo.places import DISTRICTS
from onestop.demo.staff import DEMO_WEBHOOK_SECRET, sign_in_lines
from onestop.integrations import demo_back_office
from onestop.integrations.fake_notify import serve_beside_demo

# Enough for a large county; beyond it the synthetic UPRN blocks would run out.
MAX_PEOPLE = 1_000_000


def default_extracts_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo" / "extracts"


class Command(BaseCommand):
    help = ("Build the synthetic demo area (Suffolk Contact Centre: Suffolk, Mid Suffolk and "
            "Babergh) with its staff and back-office extracts, then serve it.")

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=20_000,
                            help="How many residents to generate (default 20000)")
        parser.add_argument("--seed", type=int, default=2026,
                            help="Random seed: the same seed gives the same residents")
        parser.add_argument("--extracts-dir", type=Path, default=None,
                            help="Where to write the extracts (default VAR_DIR/demo/extracts)")
        parser.add_argument("--no-serve", action="store_true",
                            help="Build only; do not start the web server")
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on")
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on")

    def handle(self, *args, people: int, seed: int, extracts_dir: Path | None, no_serve: bool,
               host: str, port: int, **options):
        extracts_dir = extracts_dir or default_extracts_dir()
        self._check_arguments(people, seed, extracts_dir, host, port)
        self._check_migrated()
        if not Authority.objects.exists():
            self.stdout.write("No authorities yet: loading reference data first.")
            call_command("load_reference", stdout=self.stdout, stderr=self.stderr)
        # Scripts before the area: the demo's teams and cases refer to the services.
        call_command("load_dialogues", stdout=self.stdout, stderr=self.stderr)
        call_command("load_rules", stdout=self.stdout, stderr=self.stderr)
        started = time.perf_counter()
        try:
            area = do_build_demo_area(people=people, seed=seed, extracts_dir=extracts_dir)
        except (DemoError, ValueError) as error:
            raise CommandError(str(error)) from None
        elapsed = time.perf_counter() - started
        self._summarise(area, seed, elapsed)
        if no_serve:
            return
        # An IPv6 address needs brackets both in a URL and in runserver's address:port.
        address = f"[{host}]" if ":" in host and not host.startswith("[") else host
        self.stdout.write("")
        self.stdout.write(f"Serving the demo at http://{address}:{port}/ (Ctrl-C to stop)")
        self.stdout.write("Demo sign-ins (demo only; never use these anywhere else):")
        for line in sign_in_lines():
            self.stdout.write(line)
        # Residents' emails and texts go to a local stand-in for GOV.UK Notify, the teams'
        # webhooks to a demo back office, both in threads; a worker delivers the outbox.
        # Notify's delivery receipts come back to this runserver, as a callback would.
        receipts_host = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]") else address
        notify, notify_line = serve_beside_demo(
            callback_url=f"http://{receipts_host}:{port}{reverse('api:notify-receipts')}",
            callback_token=settings.NOTIFY_CALLBACK_TOKEN)
        office, office_line = demo_back_office.serve_beside_demo(DEMO_WEBHOOK_SECRET)
        self.stdout.write(notify_line)
        self.stdout.write(office_line)
        worker = subprocess.Popen([sys.executable, "-m", "onestop.cli", "worker", "--poll", "1"])
        self.stdout.write(f"An outbox worker delivers them (process {worker.pid}).")
        try:
            call_command("runserver", f"{address}:{port}", use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            for server in (notify, office):
                if server is not None:
                    server.stop()

    def _check_arguments(self, people, seed, extracts_dir, host, port) -> None:
        if people < 1:
            raise CommandError(f"--people must be at least 1 (got {people})")
        if people > MAX_PEOPLE:
            raise CommandError(f"--people must be at most {MAX_PEOPLE:,} (got {people:,})")
        if seed < 0:
            raise CommandError(f"--seed must be 0 or more (got {seed})")
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535 (got {port})")
        if not host.strip():
            raise CommandError("--host must not be empty")
        if extracts_dir.exists() and not extracts_dir.is_dir():
            raise CommandError(f"--extracts-dir {extracts_dir} exists and is not a folder")

    def _check_migrated(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("the database has unapplied migrations: run `onestop migrate` "
                               "first")

    def _summarise(self, area, seed: int, elapsed: float) -> None:
        write = self.stdout.write
        write(f"Built the demo area {area.shared_service.name} (seed {seed}) in "
              f"{elapsed:.1f} s:")
        write(f"  {area.residents:,} residents generated at {area.properties:,} properties")
        write(f"Extracts in {area.extracts_dir}:")
        for source, count in area.extract_records.items():
            write(f"  {source}.csv: {count:,} records")
        write("  ground_truth.csv and README.md")
        run = area.linkage
        write(f"Master index: {sum(area.extract_records.values()) - area.quarantined:,} "
              f"source records imported ({area.quarantined} quarantined), "
              f"{run.links:,} links, {run.for_review:,} pairs for clerical review")
        write(f"  {area.people:,} people in {area.households:,} households")
        write(f"  {area.contact_details:,} contact details, {area.benefit_awards:,} benefit "
              f"awards, {area.needs:,} needs, {area.consents:,} consents")
        # Last, one line per district, in a fixed form that scripts read.
        for district in DISTRICTS:
            write(f"sample property: {district} {area.sample_properties[district].uprn}")
