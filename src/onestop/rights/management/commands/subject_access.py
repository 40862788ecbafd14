"""`onestop subject_access`: everything held about one resident, as a file, for an
installation's data-protection officer."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from onestop.people.models import Person
from onestop.rights.actions import FORMATS, do_export_subject_access_as_operator
from onestop.rights.rendering import standalone_html


class Command(BaseCommand):
    help = ("Write everything OneStop holds about a resident (docs/subject-access.md) to a "
            "file, as JSON or as a printable HTML page. Each export is audited.")

    def add_arguments(self, parser):
        parser.add_argument("--person", type=int, required=True, help="the person's id")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--out", type=Path, required=True, help="the file to write")

    def handle(self, *args, person: int, format: str, out: Path, **options):
        if out.is_dir():
            raise CommandError(f"--out {out} is a folder; give a file name")
        if not out.parent.is_dir():
            raise CommandError(f"--out {out}: the folder {out.parent} does not exist")
        found = Person.objects.filter(pk=person).first()
        if found is None:
            raise CommandError(f"no person has id {person}")
        # The audit event stands only if the file was written.
        with transaction.atomic():
            export = do_export_subject_access_as_operator(found, form=format,
                                                          operator=_operator())
            if format == "json":
                text = json.dumps(export.record, indent=2, ensure_ascii=False) + "\n"
            else:
                text = standalone_html(export.record)
            try:
                out.write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"cannot write {out}: {error}") from None
        self.stdout.write(f"Wrote everything held about person {person} to {out} ({format})")


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
