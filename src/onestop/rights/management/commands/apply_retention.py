"""`onestop apply_retention`: delete or anonymise every record past its retention period."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onestop.core.commandline import iso_day
from onestop.core.datafiles import DataFileError
from onestop.rights.actions import do_apply_retention
from onestop.rights.retention import BATCH_SIZE, SHIPPED_POLICY, load_policy


class Command(BaseCommand):
    help = ("Delete or anonymise every record past its retention period (docs/retention.md) "
            "and print how many of each kind. Safe to repeat: a second run finds nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--today", type=str, default=None,
                            help="the date to judge periods on (default: today, Europe/London)")
        parser.add_argument("--dry-run", action="store_true",
                            help="count what would be deleted or anonymised; change nothing")
        parser.add_argument("--policy", type=Path, default=SHIPPED_POLICY,
                            help="a retention policy file (default: the one shipped)")
        parser.add_argument("--batch", type=int, default=BATCH_SIZE,
                            help=f"records per transaction (default {BATCH_SIZE})")

    def handle(self, *args, today=None, dry_run=False, policy: Path, batch: int, **options):
        day = iso_day(today) if today else timezone.localdate()
        if not 1 <= batch <= 10_000:
            raise CommandError(f"--batch {batch}: give 1 to 10000 records per transaction")
        try:
            loaded = load_policy(policy)
        except DataFileError as error:
            raise CommandError(f"retention policy refused, nothing changed: {error}") from None
        counts = do_apply_retention(loaded, today=day, dry_run=dry_run, batch_size=batch)
        self.stdout.write(f"{'Dry run: nothing changed. ' if dry_run else ''}Retention on "
                          f"{day.isoformat()} under {policy}")
        width = max(len(rule.kind.name) for rule in loaded.rules)
        for rule in loaded.rules:
            verb = f"would be {rule.kind.action}" if dry_run else rule.kind.action
            self.stdout.write(f"  {rule.kind.name:<{width}}  {counts[rule.kind.name]} {verb} "
                              f"(kept {rule.period})")
