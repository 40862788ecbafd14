"""`onestop link [--full]`: link source records into persons, with progress."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from onestop.matching.actions import LINK_THRESHOLD, REVIEW_THRESHOLD, LinkageError, do_link
from onestop.matching.management.progress import progress_bar
from onestop.matching.models import LinkageRun

STAGES = 6


class Command(BaseCommand):
    help = ("Link back-office source records into persons. Incremental by default (new "
            "records join the existing index); --full retrains and re-clusters everything. "
            "Clerical-review decisions are obeyed either way.")

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true",
                            help="retrain the model and re-cluster every record")
        parser.add_argument("--link-threshold", type=float, default=LINK_THRESHOLD)
        parser.add_argument("--review-threshold", type=float, default=REVIEW_THRESHOLD)
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, full: bool, link_threshold: float, review_threshold: float,
               quiet: bool, **options):
        full = full or not LinkageRun.objects.filter(mode=LinkageRun.Mode.FULL).exists()
        started = time.perf_counter()
        # -v 2 prints how long each stage took, for finding where a slow run spends it.
        timings = options["verbosity"] >= 2
        stage_began: list = [started, None]
        with progress_bar(total=STAGES, unit="stage", description="linking",
                          quiet=quiet) as bar:
            def progress(stage: str | None) -> None:
                now = time.perf_counter()
                if timings and stage_began[1] is not None:
                    self.stdout.write(f"stage {stage_began[1]}: {now - stage_began[0]:.1f} s")
                stage_began[:] = [now, stage]
                if stage is not None:
                    bar.set_postfix_str(stage)
                    bar.update(1)
            try:
                run = do_link(full=full, progress=progress, link_threshold=link_threshold,
                              review_threshold=review_threshold)
            except (LinkageError, ValueError) as error:
                raise CommandError(str(error)) from None
            progress(None)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{run.get_mode_display()} linkage of {run.records} records in {seconds:.1f} s: "
            f"{run.pairs_scored} pairs scored, {run.links} linked, {run.for_review} for "
            f"review; persons: {run.persons_created} created, {run.merges} merged, "
            f"{run.splits} split")
