"""`onestop lift_sign_in_lockouts`: lift every sign-in lock-out, from the command line."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from onestop.staff.actions import do_lift_every_sign_in_lockout


class Command(BaseCommand):
    help = ("Lift every current sign-in lock-out and forget every failed sign-in counted so "
            "far (for when every team leader is locked out). Each lift is audited.")

    def handle(self, *args, **options):
        count = do_lift_every_sign_in_lockout()
        self.stdout.write(f"Lifted {count} sign-in lock-out{'' if count == 1 else 's'}")
