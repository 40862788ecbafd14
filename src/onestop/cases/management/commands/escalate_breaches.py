"""`onestop escalate_breaches`: escalate every breached case to its team's leader (cron)."""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand

from onestop.cases.actions import do_escalate_breaches
from onestop.core.commandline import iso_day


class Command(BaseCommand):
    help = ("Escalate open cases past their due date to their team's leader. Safe to run as "
            "often as you like: a case is escalated once.")

    def add_arguments(self, parser):
        parser.add_argument("--today", type=str, default=None,
                            help="the date to judge breaches on (default: today, Europe/London)")

    def handle(self, *args, today=None, **options):
        cases = do_escalate_breaches(today=iso_day(today) if today else None)
        per_team = Counter(case.team.name for case in cases)
        noun = "case" if len(cases) == 1 else "cases"
        self.stdout.write(f"Escalated {len(cases)} breached {noun}")
        for team, count in sorted(per_team.items()):
            self.stdout.write(f"  {team}: {count}")
