"""How fast `onestop link` runs at a million source records, full and incremental, on PostgreSQL.

Run from the checkout (PostgreSQL on 127.0.0.1:5432, user postgres, trust auth):

    .venv/bin/python bench/link_speed.py build --people 540000      # once: the 1M template
    .venv/bin/python bench/link_speed.py build --people 20000       # the baseline template
    .venv/bin/python bench/link_speed.py run --people 540000 --baseline 20000 --repeats 3

`build` makes a template database `onestop_link_<people>`: migrated, reference data loaded,
the demo area's properties and staff, and the demo's seven extracts imported through their
profiles, unlinked. It writes the extracts as `onestop demo` does, except that the last
10,000 rows of one source (the newest residents it knows) are held back: they are the
"newer extract" an incremental run links later. Building goes through the demo's own code
(generation, properties, `do_import_extract`); only its final `do_link` is left out, because
that link is what `run` times.

`run` copies the template (`CREATE DATABASE … TEMPLATE …`) before every timed step, so each
repeat starts from the same state, and runs, as separate processes under `/usr/bin/time -v`:
1. `onestop link --full` over the unlinked index (wall time, peak RSS, stage times from
   `link -v 2`), `--repeats` times;
2. `onestop link --full` again over the index the first of those made (a relink: what a
   council's nightly full run does), `--relinks` times;
3. `onestop import_extract` of the newer extract (10,000 new rows) into that index, once,
   then `onestop link` (incremental) from a copy of the result, `--repeats` times.
The baseline, timed in the same run, is the same full link on the smaller template (and,
with `--before SRC`, with the code of another checkout). Prints Markdown tables of medians.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
HELD_BACK_SOURCE = "electoral_register"
HELD_BACK_ROWS = 10_000
SEED = 2026
SPILL_AFTER = 3_000
STAGE = re.compile(r"^stage (.+?): ([0-9.]+) s$", re.M)
SUMMARY = re.compile(r"^\w+ linkage of .*$", re.M)


def extracts_dir(people: int) -> Path:
    folder = Path(os.environ.get("ONESTOP_LINK_BENCH_DIR", ROOT / "var" / "bench"))
    return folder / f"link_{people}"


def template(people: int) -> str:
    return f"onestop_link_{people}"


def psql(sql: str, database: str = "postgres") -> None:
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", database,
                    "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)


def environment(database: str, source: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": f"{SERVER}/{database}", "ONESTOP_ENV": "demo",
                "DJANGO_SETTINGS_MODULE": "onestop.settings"})
    if source is not None:  # another checkout's code (the baseline's), first on the path
        env["PYTHONPATH"] = str(source)
    return env


def onestop(*args: str, database: str, source: Path | None = None) -> tuple[float, float, str]:
    """Run one `onestop` command under /usr/bin/time -v: wall seconds, peak GiB, output."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "onestop.cli", *args],
                          env=environment(database, source), capture_output=True, text=True,
                          check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"onestop {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                             done.stderr).group(1))
    return elapsed, peak_kib / 1024 / 1024, done.stdout + done.stderr


# --- build ---------------------------------------------------------------------------------

def build(people: int) -> None:
    database = template(people)
    psql(f"DROP DATABASE IF EXISTS {database}")
    psql(f"CREATE DATABASE {database}")
    for command in (["migrate", "--no-input", "-v", "0"], ["load_reference"]):
        subprocess.run([sys.executable, "-m", "onestop.cli", *command],
                       env=environment(database), check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "_import", "--people", str(people)],
                   env=environment(database), check=True)
    psql("VACUUM ANALYZE", database)  # planner statistics, as a live database has them
    print(f"built {database} in {time.perf_counter() - started:.0f} s")


def import_demo(people: int) -> None:
    """The demo build (`do_build_demo_area`) without its link, one source held back."""
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from onestop.authorities.actions import do_set_up_shared_service
    from onestop.demo import actions as demo
    from onestop.demo.extracts import write_extracts
    from onestop.demo.places import COUNTY, DISTRICTS, SHARED_SERVICE_NAME, SHARED_SERVICE_SLUG
    from onestop.demo.population import generate_population
    from onestop.matching.actions import do_import_extract
    from onestop.matching.profiles import load_profile

    _spill_full_postcode_districts()
    folder = extracts_dir(people)
    today = timezone.localdate()
    started = time.perf_counter()
    population = generate_population(people, SEED, today)
    print(f"generated {people} residents in {time.perf_counter() - started:.0f} s", flush=True)
    with transaction.atomic():
        shared = do_set_up_shared_service(SHARED_SERVICE_SLUG, SHARED_SERVICE_NAME,
                                          [COUNTY, *DISTRICTS])
        authorities = {a.slug: a for a in shared.authorities.all()}
        demo._save_properties(population, authorities)
        demo.do_set_up_demo_staff(authorities)
        records = write_extracts(population, folder)
        _hold_back(folder)
        for source in records:
            step = time.perf_counter()
            done = do_import_extract(load_profile(source), folder / f"{source}.csv",
                                     today=today)
            print(f"imported {done.imported} {source} records in "
                  f"{time.perf_counter() - step:.0f} s", flush=True)


def _spill_full_postcode_districts() -> None:
    """Let a postcode district that runs out of postcodes spill into a sibling district.

    The generator draws each street's postcode from its place's one outward code, which
    has 9 * 20 * 20 = 3,600 inward codes; above about 400,000 residents the largest town
    (CO10) needs more and `AddressBook.postcode` loops for ever. Real towns that size have
    several districts, so past SPILL_AFTER postcodes a district's new streets go to
    "<area><number + 50>" (CO10 → CO60), a district no demo place uses.
    """
    from collections import Counter

    from onestop.demo.addresses import AddressBook

    original = AddressBook.postcode

    def postcode(self, outward: str) -> str:
        issued = self.__dict__.setdefault("_issued_per_district", Counter())
        while issued[outward] >= SPILL_AFTER:
            area = outward.rstrip("0123456789")
            outward = f"{area}{int(outward[len(area):]) + 50}"
        issued[outward] += 1
        return original(self, outward)

    AddressBook.postcode = postcode


def _hold_back(folder: Path) -> None:
    """Keep the last rows of one extract for `newer/`, the extract an incremental links."""
    path = folder / f"{HELD_BACK_SOURCE}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    held_back = min(HELD_BACK_ROWS, len(rows) // 20)  # a small demo keeps most of its rows
    (folder / "newer").mkdir(exist_ok=True)
    for target, kept in ((folder / "newer" / path.name, rows),
                         (path, rows[:-held_back])):
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(kept)


# --- run -----------------------------------------------------------------------------------

def copy(source: str, target: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {target}")
    psql(f"CREATE DATABASE {target} TEMPLATE {source}")


def linked_template(people: int) -> str:
    return f"onestop_link_linked_template_{people}"


def timed_runs(people: int, repeats: int, incremental: bool, source: Path | None = None,
               relinks: int = 0) -> list[dict]:
    """Full links from the unlinked template; then, with `incremental`, full relinks of the
    index the first full link made, the newer extract imported once into that index, and
    incremental links from a copy of it."""
    results = []
    work = f"onestop_link_run_{people}"
    newer_template = f"onestop_link_newer_{people}"
    for repeat in range(repeats):
        copy(template(people), work)
        result: dict = {}
        result["full_s"], result["full_gib"], output = onestop(
            "link", "--full", "--quiet", "-v", "2", database=work, source=source)
        result["full_stages"] = {name: float(s) for name, s in STAGE.findall(output)}
        result["full_line"] = SUMMARY.search(output).group(0)
        print(f"{people} repeat {repeat + 1}: full {result['full_s']:.1f} s, "
              f"{result['full_gib']:.2f} GiB\n{output.strip()[:1500]}", flush=True)
        if incremental and repeat == 0:
            copy(work, linked_template(people))  # the linked index, for relinks
            copy(work, newer_template)  # the linked index, before the newer extract
            extract = extracts_dir(people) / "newer" / f"{HELD_BACK_SOURCE}.csv"
            result["import_s"], _, _ = onestop("import_extract", "--source", HELD_BACK_SOURCE,
                                               str(extract), database=newer_template)
        results.append(result)
    if incremental:
        linked = f"onestop_link_linked_{people}"
        for repeat, result in enumerate(results[:relinks]):
            copy(linked_template(people), linked)
            result["relink_s"], result["relink_gib"], output = onestop(
                "link", "--full", "--quiet", "-v", "2", database=linked)
            result["relink_stages"] = {name: float(s) for name, s in STAGE.findall(output)}
            print(f"{people} repeat {repeat + 1}: relink {result['relink_s']:.1f} s, "
                  f"{result['relink_gib']:.2f} GiB\n{output.strip()[:1500]}", flush=True)
        for repeat, result in enumerate(results):
            copy(newer_template, linked)
            result["inc_s"], result["inc_gib"], output = onestop("link", "--quiet", "-v", "2",
                                                                 database=linked)
            result["inc_stages"] = {name: float(s) for name, s in STAGE.findall(output)}
            result["inc_line"] = SUMMARY.search(output).group(0)
            print(f"{people} repeat {repeat + 1}: incremental {result['inc_s']:.1f} s, "
                  f"{result['inc_gib']:.2f} GiB\n{output.strip()[:1500]}", flush=True)
    return results


def source_records(people: int) -> int:
    done = subprocess.run(["psql", "-At", "-h", "127.0.0.1", "-U", "postgres", "-d",
                           template(people), "-c",
                           "SELECT count(*) FROM matching_sourcerecord"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def median(results: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in results)


def report(runs: list[tuple[str, int, list[dict]]]) -> None:
    print(f"\nMachine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
          f"Python {platform.python_version()}; load average at the end "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| code | residents | source records | repeats | full link (s) | records/min | "
          "peak RSS (GiB) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, people, results in runs:
        records = source_records(people)
        seconds = median(results, "full_s")
        print(f"| {label} | {people:,} | {records:,} | {len(results)} | {seconds:.1f} | "
              f"{records / seconds * 60:,.0f} | {median(results, 'full_gib'):.2f} |")
    for label, people, results in runs:
        relinked = [r for r in results if "relink_s" in r]
        if relinked:
            print(f"\nFull relink of the linked index ({label}, {people:,} residents), "
                  f"{len(relinked)} run(s): {median(relinked, 'relink_s'):.1f} s, peak "
                  f"{median(relinked, 'relink_gib'):.2f} GiB")
        if "inc_s" in results[0]:
            print(f"\nIncremental ({label}, {people:,} residents): import of the newer "
                  f"extract {results[0]['import_s']:.1f} s (once), incremental link "
                  f"{median(results, 'inc_s'):.1f} s, peak {median(results, 'inc_gib'):.2f} GiB"
                  f"; {results[-1]['inc_line']}")
    for label, people, results in runs:
        print(f"\n{label}, {people:,}: {results[-1]['full_line']}")
        for kind in ("full", "relink", "inc"):
            stages = [r[f"{kind}_stages"] for r in results if r.get(f"{kind}_stages")]
            if stages:
                print(f"Stages ({kind}), median s: " + "; ".join(
                    f"{name} {statistics.median(s.get(name, 0.0) for s in stages):.1f}"
                    for name in stages[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("build", "_import"):
        commands.add_parser(name).add_argument("--people", type=int, required=True)
    run = commands.add_parser("run")
    run.add_argument("--people", type=int, default=540_000)
    run.add_argument("--baseline", type=int, default=20_000)
    run.add_argument("--repeats", type=int, default=3)
    run.add_argument("--relinks", type=int, default=1,
                     help="full relinks of the linked index at the large size")
    run.add_argument("--before", type=Path, default=None,
                     help="the src folder of a checkout of the code before these changes: "
                          "its full link at the baseline size is timed too")
    arguments = parser.parse_args()
    if arguments.command == "build":
        build(arguments.people)
    elif arguments.command == "_import":
        sys.path.insert(0, str(ROOT / "src"))
        import_demo(arguments.people)
    else:
        runs = []
        if arguments.before:
            runs.append(("before", arguments.baseline,
                         timed_runs(arguments.baseline, arguments.repeats, False,
                                    arguments.before)))
        runs.append(("this", arguments.baseline,
                     timed_runs(arguments.baseline, arguments.repeats, False)))
        runs.append(("this", arguments.people,
                     timed_runs(arguments.people, arguments.repeats, True,
                                relinks=arguments.relinks)))
        report(runs)


if __name__ == "__main__":
    main()
