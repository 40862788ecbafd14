"""`onestop load_reference`: load the shipped reference data. Safe to run again."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from onestop.authorities.actions import do_load_authorities
from onestop.catalogue.actions import do_load_functions, do_load_services
from onestop.core.datafiles import DataFileError

DATA_DIR = Path(__file__).resolve().parents[3] / "data"


class Command(BaseCommand):
    help = "Load UK authorities, the LGSL catalogue and providing tiers (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, default=DATA_DIR,
                            help="Folder holding reference/ and services_of_interest.csv")

    def handle(self, *args, data_dir: Path, **options):
        reference = data_dir / "reference"
        try:
            # One transaction: a bad row anywhere leaves the database as it was.
            with transaction.atomic():
                summaries = [
                    do_load_authorities(reference / "local_authorities.csv"),
                    do_load_functions(reference / "lgsl_functions.csv"),
                    do_load_services(reference / "lgsl_services.csv",
                                     reference / "lgsl_providing_tier.csv",
                                     reference / "lgsl_tier_mapping.csv",
                                     data_dir / "services_of_interest.csv"),
                ]
        except DataFileError as error:
            raise CommandError(str(error)) from None
        for summary in summaries:
            self.stdout.write(str(summary))
