from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from onestop.dialogues.actions import DialogueInvalid, do_load_shipped_dialogues


class Command(BaseCommand):
    help = "Publish the service scripts OneStop ships, where they differ from what is published."

    def handle(self, *args, **options):
        try:
            report = do_load_shipped_dialogues()
        except DialogueInvalid as error:
            raise CommandError("no dialogue loaded:\n  " + "\n  ".join(error.errors)) from None
        self.stdout.write(f"Dialogues: {len(report.published)} published, "
                          f"{len(report.unchanged)} unchanged")
