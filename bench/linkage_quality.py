"""Linkage quality against the demo generator's ground truth, beside an exact-key baseline.

Usage (a database whose demo area was built from the extracts in EXTRACTS_DIR):
    DATABASE_URL=sqlite:///var/bench.sqlite3 ONESTOP_ENV=demo \\
        .venv/bin/python bench/linkage_quality.py EXTRACTS_DIR

Prints pairwise precision, recall and F1 and B-cubed precision, recall and F1 of the
master index's persons (clusters of source records), and of the baseline: records joined
only when given name, family name, date of birth and postcode are all present and equal
after standardisation. Both are scored on the same imported records in the same run.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
django.setup()

from onestop.demo.extracts import read_ground_truth  # noqa: E402
from onestop.matching.models import SourceRecord  # noqa: E402


def pairwise(clusters: dict[object, list], truth: dict) -> tuple[float, float, float]:
    """Precision, recall, F1 over all pairs of records put together."""
    def together(groups) -> int:
        return sum(n * (n - 1) // 2 for n in groups)

    predicted = together(len(members) for members in clusters.values())
    actual = together(Counter(truth.values()).values())
    correct = 0
    for members in clusters.values():
        correct += together(Counter(truth[m] for m in members).values())
    precision = correct / predicted if predicted else 1.0
    recall = correct / actual if actual else 1.0
    return precision, recall, _f1(precision, recall)


def b_cubed(clusters: dict[object, list], truth: dict) -> tuple[float, float, float]:
    """Per-record precision and recall of its cluster, averaged (Bagga and Baldwin)."""
    true_size = Counter(truth.values())
    precision = recall = 0.0
    for members in clusters.values():
        residents = Counter(truth[m] for m in members)
        for member in members:
            same = residents[truth[member]]
            precision += same / len(members)
            recall += same / true_size[truth[member]]
    n = len(truth)
    return precision / n, recall / n, _f1(precision / n, recall / n)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main(extracts_dir: Path) -> None:
    truth_by_key = read_ground_truth(extracts_dir)
    rows = SourceRecord.objects.filter(retired_at__isnull=True).values_list(
        "pk", "source", "reference", "person_id", "given_name", "family_name",
        "date_of_birth", "postcode")
    truth, index, baseline = {}, defaultdict(list), defaultdict(list)
    for pk, source, reference, person, given, family, born, postcode in rows:
        resident = truth_by_key.get((source, reference))
        if resident is None:
            continue
        truth[pk] = resident
        index[person or f"unlinked-{pk}"].append(pk)
        key = (given, family, born, postcode)
        baseline[key if all(key) and len(given) > 1 else f"single-{pk}"].append(pk)
    print(f"{len(truth):,} source records of {len(set(truth.values())):,} residents")
    for name, clusters in (("master index (Splink)", index), ("exact key baseline", baseline)):
        started = time.perf_counter()
        p, r, f = pairwise(clusters, truth)
        bp, br, bf = b_cubed(clusters, truth)
        print(f"{name}: {len(clusters):,} clusters; pairwise P {p:.4f} R {r:.4f} F1 {f:.4f}; "
              f"B-cubed P {bp:.4f} R {br:.4f} F1 {bf:.4f} "
              f"(scored in {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
