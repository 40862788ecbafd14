"""`onestop import_extract --source NAME FILE.csv`: bring one back-office extract in."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onestop.matching.actions import ExtractError, TooManyRetired, do_import_extract
from onestop.matching.management.progress import progress_bar
from onestop.matching.profiles import ProfileError, load_profile

SHOW_QUARANTINED = 20


def percent(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of percent") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 100")
    return value


class Command(BaseCommand):
    help = ("Import a back-office extract through its source profile: new rows imported, "
            "changed rows updated, vanished rows retired, bad rows quarantined with reasons.")

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True,
                            help="a shipped profile name (e.g. council_tax) or a .toml path")
        parser.add_argument("file", type=Path, help="the extract, a CSV file")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument(
            "--max-retire", type=percent, metavar="PERCENT", default=None,
            help="refuse a file that would retire more than this share of the source's "
                 "active records (default IMPORT_MAX_RETIRE_PERCENT, "
                 f"now {settings.IMPORT_MAX_RETIRE_PERCENT})")
        parser.add_argument("--allow-retire", action="store_true",
                            help="retire however many records the file no longer holds "
                                 "(the source really did lose them)")

    def handle(self, *args, source: str, file: Path, quiet: bool, max_retire: int | None,
               allow_retire: bool, **options):
        try:
            profile = load_profile(source)
        except ProfileError as error:
            raise CommandError(str(error)) from None
        size = file.stat().st_size if file.is_file() else None
        with progress_bar(total=size, unit="B", description=f"importing {file.name}",
                          quiet=quiet) as bar:
            try:
                done = do_import_extract(profile, file, on_progress=bar.update,
                                         max_retire_percent=max_retire,
                                         allow_retire=allow_retire)
            except TooManyRetired as error:
                raise CommandError(f"{error}, or pass --allow-retire if the source really "
                                   "did lose them.\nNothing was imported.") from None
            except ExtractError as error:
                raise CommandError(f"{error}\nNothing was imported.") from None
        self.stdout.write(
            f"{profile.name} from {file.name}: {done.read} read, {done.imported} imported, "
            f"{done.updated} updated, {done.unchanged} unchanged, {done.retired} retired, "
            f"{done.quarantined} quarantined")
        rows = done.quarantined_rows.all()[:SHOW_QUARANTINED]
        for row in rows:
            where = f"row {row.row_number} (line {row.line_number})"
            field = f", field {row.field!r}" if row.field else ""
            self.stdout.write(f"  quarantined {where}{field}: {row.reason}")
        if done.quarantined > SHOW_QUARANTINED:
            self.stdout.write(f"  ... and {done.quarantined - SHOW_QUARANTINED} more")
        if not done.changed_anything:
            self.stdout.write("No changes.")
