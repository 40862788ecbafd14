"""`onestop screen`: a take-up campaign list of residents likely eligible and not receiving."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from onestop.core.csvfiles import safe_writer
from onestop.eligibility.queries import published_rules
from onestop.eligibility.screening import connect, read_main_database, screen
from onestop.people.consent import refusing_offers
from onestop.people.models import Person

BATCH = 5000
ADDRESS = tuple(f"household__property__{field}" for field in
                ("address_line_1", "address_line_2", "town", "postcode"))
COLUMNS = ["person_id", "given_name", "family_name", "date_of_birth", "address", "postcode",
           "lgsl", "service", "reason"]


class Command(BaseCommand):
    help = ("List residents likely eligible for a service and not receiving it (every "
            "published rule, or those named), as CSV; residents who asked not to be told "
            "about services are left out and counted.")

    def add_arguments(self, parser):
        parser.add_argument("--service", type=int, nargs="+", metavar="LGSL", default=None,
                            help="Only these services' rules (LGSL numbers)")
        parser.add_argument("--out", type=Path, default=None,
                            help="Write the CSV here (default: standard output)")

    def handle(self, *args, service: list[int] | None, out: Path | None, **options):
        rules = published_rules()
        if service:
            known = {s.lgsl for s, _, _ in rules}
            if missing := sorted(set(service) - known):
                raise CommandError(f"no published eligibility rule for LGSL "
                                   f"{', '.join(map(str, missing))} (published: "
                                   f"{', '.join(map(str, sorted(known))) or 'none'})")
            rules = [r for r in rules if r[0].lgsl in service]
        if not rules:
            raise CommandError("no published eligibility rules: run `onestop load_rules`")
        if out is not None and out.is_dir():
            raise CommandError(f"--out {out} is a folder; give a file name")
        started = time.perf_counter()
        progress = tqdm(total=3, desc="Screening", unit="step", file=sys.stderr,
                        disable=None)
        progress.set_postfix_str("reading the main database")
        tables = read_main_database()
        progress.update()
        progress.set_postfix_str(f"facts of {tables['person'].num_rows:,} residents")
        db = connect(tables, timezone.localdate())
        progress.update()
        progress.set_postfix_str(f"{len(rules)} rules in one pass")
        found = screen(db, [definition for _, _, definition in rules])
        progress.update()
        progress.close()
        # A resident who said no to being told about services is on no campaign list.
        refusing = refusing_offers()
        left_out = {p for p, _ in found if p in refusing}
        found = [(p, lgsl) for p, lgsl in found if p not in refusing]
        self._write(found, rules, out)
        self.stderr.write(f"{len(found):,} offers to make to "
                          f"{len({p for p, _ in found}):,} residents across {len(rules)} "
                          f"services in {time.perf_counter() - started:.1f} s")
        self.stderr.write(f"{len(left_out):,} residents likely eligible left out: they asked "
                          f"not to be told about services")

    def _write(self, found, rules, out: Path | None) -> None:
        by_lgsl = {s.lgsl: (s, d) for s, _, d in rules}
        handle = out.open("w", newline="", encoding="utf-8") if out else self.stdout
        try:
            # Names and addresses come from extracts and self-service, reasons and labels
            # from service owners: any of them could be a formula a spreadsheet would run.
            writer = safe_writer(handle)
            writer.writerow(COLUMNS)
            # Plain values, not model instances: a campaign list can run to a million rows.
            people = {}
            ids = sorted({p for p, _ in found})
            for start in tqdm(range(0, len(ids), BATCH), desc="Reading names", unit="batch",
                              file=sys.stderr, disable=None):
                rows = Person.objects.filter(pk__in=ids[start:start + BATCH]).values_list(
                    "pk", "given_name", "family_name", "date_of_birth", *ADDRESS)
                people.update((row[0], row[1:]) for row in rows)
            for person_id, lgsl in found:
                given, family, born, line_1, line_2, town, postcode = people[person_id]
                service, definition = by_lgsl[lgsl]
                address = ", ".join(part for part in (line_1, line_2, town, postcode) if part)
                writer.writerow([person_id, given, family, born or "", address,
                                 postcode or "", lgsl, service.label,
                                 definition.eligible_reason])
        finally:
            if out:
                handle.close()
