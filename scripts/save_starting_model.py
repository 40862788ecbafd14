"""Write the last full linkage run's trained model as the shipped starting model.

The starting model (`matching/linkage/starting_model.json`) scores extracts too small to
train on. It is made from the 20,000-resident demo, then this script, whenever the
comparisons or blocking rules change:

    export DATABASE_URL=sqlite:///var/model.sqlite3 ONESTOP_ENV=demo
    .venv/bin/onestop migrate && .venv/bin/onestop demo --people 20000 --no-serve
    .venv/bin/python scripts/save_starting_model.py

It prints the number of records the model was trained on: set STARTING_MODEL_RECORDS in
`matching/linkage/model.py` to it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
django.setup()

from onestop.matching.models import LinkageRun  # noqa: E402

TARGET = (Path(__file__).resolve().parents[1] / "src" / "onestop" / "matching" / "linkage"
          / "starting_model.json")


def main() -> None:
    run = (LinkageRun.objects.filter(mode=LinkageRun.Mode.FULL, finished_at__isnull=False)
           .exclude(model={}).first())
    if run is None:
        sys.exit("no finished full linkage run in this database: build the demo first")
    TARGET.write_text(json.dumps(run.model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {TARGET} from run {run.pk}, trained on {run.records} records")


if __name__ == "__main__":
    main()
