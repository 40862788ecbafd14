"""Linkage quality and speed against the demo generator's ground truth, beside two baselines.

Usage (a database whose demo area was built from the extracts in EXTRACTS_DIR):
    DATABASE_URL=sqlite:///var/bench.sqlite3 ONESTOP_ENV=demo \\
        .venv/bin/python bench/linkage_quality.py EXTRACTS_DIR [REPEATS]

One run times and scores, on the same active source records and their standardised fields:
- the master index: a full relink (`do_link(full=True)`) timed REPEATS times (default 3),
  with its pairwise F1 after each, then the persons the last one leaves scored;
- the exact-key baseline: records joined only when given name, family name, date of birth
  and postcode are all present and equal;
- the `recordlinkage` toolkit's standard pipeline (`pip install -e '.[bench]'`; skipped with
  a note when it is not installed): blocking, field comparisons, the unsupervised ECM
  classifier, and clusters as connected components of the predicted matches.

Quality is pairwise precision, recall and F1 (pairs of records put together) and B-cubed
precision, recall and F1 (each record's cluster, averaged). Times are medians.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
django.setup()

from onestop.demo.extracts import read_ground_truth  # noqa: E402
from onestop.matching.actions import LinkageError, do_link  # noqa: E402
from onestop.matching.models import SourceRecord  # noqa: E402

FIELDS = ("pk", "source", "reference", "person_id", "given_name", "family_name", "name_group",
          "date_of_birth", "postcode", "address", "national_insurance_number", "uprn")


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


def timed(work):
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def relink() -> tuple[object, dict[str, float]]:
    """A full `do_link`, with the seconds spent in each stage it reports."""
    marks = []
    run, seconds = timed(lambda: do_link(
        full=True, progress=lambda stage: marks.append((stage, time.perf_counter()))))
    ends = [at for _, at in marks[1:]] + [marks[0][1] + seconds]
    stages = {stage: end - at for (stage, at), end in zip(marks, ends, strict=True)}
    return run, {**stages, "total": seconds}


def master_index(records: list[dict]) -> dict:
    clusters = defaultdict(list)
    for r in records:
        clusters[r["person_id"] or f"unlinked-{r['pk']}"].append(r["pk"])
    return clusters


def exact_key(records: list[dict]) -> dict:
    clusters = defaultdict(list)
    for r in records:
        key = (r["given_name"], r["family_name"], r["date_of_birth"], r["postcode"])
        # An initial is not a given name: "j smith" at one postcode may be two people.
        usable = all(key) and len(r["given_name"]) > 1
        clusters[key if usable else f"single-{r['pk']}"].append(r["pk"])
    return clusters


def toolkit(records: list[dict]) -> tuple[dict, dict[str, float], object]:
    """recordlinkage's standard unsupervised pipeline: clusters, stage times, candidates.

    Blocking (the union of four indexes; between them they hold 99.6 % of the true pairs of
    the 20k demo, as many as the master index's own blocking rules):
    - same postcode and given-name initial (nicknames, typos and maiden names at one home);
    - same family name and date of birth (people who moved);
    - same National Insurance number;
    - sorted neighbourhood on family name (window 3) within one name group: a family-name
      typo, or a move on a source without dates of birth (the electoral register).
    Comparisons are the toolkit's documented defaults: Jaro-Winkler >= 0.85 on names,
    Levenshtein >= 0.85 on the address, exact on the rest. ECM learns m and u without
    labels. Nothing here was tuned against the ground truth.
    """
    import numpy as np
    import pandas as pd
    import recordlinkage
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    seconds = {}

    def frame():
        table = pd.DataFrame.from_records(records, columns=FIELDS, index="pk")
        # Blank means unknown: NaN, which blocks on nothing and compares as a disagreement.
        table = table.replace("", None)
        table["date_of_birth"] = table["date_of_birth"].astype("string")
        table["uprn"] = table["uprn"].astype("Int64")
        table["given_initial"] = table["given_name"].str[:1]
        return table

    def index():
        indexer = recordlinkage.Index()
        indexer.block(["postcode", "given_initial"])
        indexer.block(["family_name", "date_of_birth"])
        indexer.block("national_insurance_number")
        indexer.sortedneighbourhood("family_name", window=3, block_on="name_group")
        return indexer.index(table)

    def compare():
        comparer = recordlinkage.Compare()
        for name in ("given_name", "family_name"):
            comparer.string(name, name, method="jarowinkler", threshold=0.85, label=name)
        for name in ("name_group", "date_of_birth", "postcode", "national_insurance_number",
                     "uprn"):
            comparer.exact(name, name, label=name)
        comparer.string("address", "address", method="levenshtein", threshold=0.85,
                        label="address")
        return comparer.compute(candidates, table)

    def cluster():
        position = pd.Series(np.arange(len(table)), index=table.index)
        left = position[matches.get_level_values(0)].to_numpy()
        right = position[matches.get_level_values(1)].to_numpy()
        graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(table),) * 2)
        _, labels = connected_components(graph, directed=False)
        clusters = defaultdict(list)
        for pk, label in zip(table.index, labels, strict=True):
            clusters[label].append(pk)
        return clusters

    table, seconds["frame"] = timed(frame)
    candidates, seconds["index"] = timed(index)
    features, seconds["compare"] = timed(compare)
    matches, seconds["classify"] = timed(lambda: recordlinkage.ECMClassifier().fit_predict(
        features))
    clusters, seconds["cluster"] = timed(cluster)
    seconds["total"] = sum(seconds.values())
    return clusters, seconds, candidates


def median_stages(repeats: list[dict[str, float]]) -> dict[str, float]:
    return {stage: statistics.median(seconds[stage] for seconds in repeats)
            for stage in repeats[0]}


def main(extracts_dir: Path, repeats: int) -> None:
    try:
        truth_by_key = read_ground_truth(extracts_dir)
    except FileNotFoundError as missing:
        sys.exit(f"{extracts_dir}: not a demo extracts folder ({missing.strerror}: "
                 f"{missing.filename})")
    print(f"load average at start: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    relinks, f1s = [], []
    for _ in range(repeats):
        try:
            relinks.append(relink())
        except LinkageError as problem:
            sys.exit(f"cannot relink the master index: {problem}")
        # The baselines start from records in memory; a relink's time includes its own read.
        active, read_seconds = timed(lambda: list(
            SourceRecord.objects.filter(retired_at__isnull=True).values(*FIELDS)))
        records = [r for r in active if (r["source"], r["reference"]) in truth_by_key]
        truth = {r["pk"]: truth_by_key[r["source"], r["reference"]] for r in records}
        f1s.append(pairwise(master_index(records), truth)[2])
    relink_stages = median_stages([stages for _, stages in relinks])
    linked = relinks[-1][0].records
    print(f"{len(truth):,} source records of {len(set(truth.values())):,} residents "
          f"(read in {read_seconds:.2f} s)")
    print(f"master index: full relinks of {linked:,} active records took "
          + ", ".join(f"{stages['total']:.2f}" for _, stages in relinks) + " s, pairwise F1 "
          + ", ".join(f"{f1:.4f}" for f1 in f1s) + "; median s: "
          + "; ".join(f"{stage} {s:.2f}" for stage, s in relink_stages.items()))

    results = [("master index (Splink), full relink", master_index(records),
                relink_stages["total"], linked)]
    exact = [timed(lambda: exact_key(records)) for _ in range(repeats)]
    results.append(("exact key", exact[-1][0], statistics.median(s for _, s in exact),
                    len(records)))
    try:
        import recordlinkage
    except ImportError:
        print("recordlinkage is not installed (pip install -e '.[bench]'): baseline skipped")
    else:
        runs = [toolkit(records) for _ in range(repeats)]
        clusters, _, candidates = runs[-1]
        stages = median_stages([run[1] for run in runs])
        results.append((f"recordlinkage {recordlinkage.__version__} (ECM)", clusters,
                        stages["total"], len(records)))
        found = sum(truth[left] == truth[right] for left, right in candidates)
        actual = sum(n * (n - 1) // 2 for n in Counter(truth.values()).values())
        print(f"recordlinkage: {len(candidates):,} candidate pairs hold {found:,} of "
              f"{actual:,} true pairs ({found / actual:.4f}); median s: "
              + ", ".join(f"{stage} {s:.2f}" for stage, s in stages.items()))

    print("\n| | clusters | pairwise P | pairwise R | pairwise F1 | B-cubed P | B-cubed R "
          "| B-cubed F1 | time (s) | records/min |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, clusters, seconds, count in results:
        p, r, f = pairwise(clusters, truth)
        bp, br, bf = b_cubed(clusters, truth)
        print(f"| {name} | {len(clusters):,} | {p:.4f} | {r:.4f} | {f:.4f} | {bp:.4f} "
              f"| {br:.4f} | {bf:.4f} | {seconds:.2f} | {count / seconds * 60:,.0f} |")
    print(f"\nload average at end: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and not sys.argv[2].isdigit()):
        sys.exit(__doc__)
    if len(sys.argv) == 3 and int(sys.argv[2]) < 1:
        sys.exit(f"REPEATS must be at least 1, got {sys.argv[2]}")
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) == 3 else 3)
