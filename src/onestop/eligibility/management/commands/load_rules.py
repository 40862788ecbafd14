from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from onestop.eligibility.actions import RuleInvalid, do_load_shipped_rules


class Command(BaseCommand):
    help = "Publish the eligibility rules OneStop ships, where they differ from what is published."

    def handle(self, *args, **options):
        try:
            report = do_load_shipped_rules()
        except RuleInvalid as error:
            raise CommandError("no rule loaded:\n  " + "\n  ".join(error.errors)) from None
        self.stdout.write(f"Eligibility rules: {len(report.published)} published, "
                          f"{len(report.unchanged)} unchanged")
