"""Population screening: every published eligibility rule over a million residents.

Run from the checkout:

    .venv/bin/python bench/screening.py [--people 1000000] [--sample 2000] [--repeats 3]

1. Set-up, not timed: a SQLite main database (`--database`, default
   /tmp/onestop_screening_bench.sqlite3) is migrated, given the reference data and the
   shipped rules (`onestop load_reference`, `onestop load_rules`), then filled with
   `--people` residents (seeded): households of one to five at properties of every type
   (flats on floors 0-4), tenures and bands, dates of birth from newborn to 95, about a
   quarter with one or two benefits and one in six with a service already received. The
   rows are written with sqlite3's executemany, not through the actions. A database that
   already holds the same population is reused.
2. Set-based, timed per repeat, exactly what `onestop screen` runs: read the five tables
   from the main database into Arrow (`read_main_database`), load them into DuckDB and
   build the facts table (`connect`), then one pass of every rule (`screen`).
3. Per person, in the same run: `--sample` residents drawn at random, each through what
   the person page runs (`facts_for`: four queries, then every rule's `judge`), timed
   over the sample and extrapolated to the population (sample time * people / sample).
   The evaluation alone (the same residents' facts already built) is timed as well.

The summary gives medians over repeats; the ratio is per-person (extrapolated) ÷ set-based.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONESTOP = Path(sys.executable).with_name("onestop")
LGSLS = (4, 58, 69, 279, 474, 530)
BENEFITS = ("universal_credit", "housing_benefit", "council_tax_reduction", "pension_credit",
            "pip", "dla", "attendance_allowance", "carers_allowance", "child_benefit", "esa")
TYPES = (("house", 50), ("bungalow", 12), ("flat", 28), ("maisonette", 6), ("park_home", 4))
TENURES = ("owner_occupied", "private_rented", "council_rented", "housing_association", "")


def onestop(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "ONESTOP_ENV": "test"}
    done = subprocess.run([str(ONESTOP), *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"onestop {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def populate(path: Path, people: int, seed: int) -> None:
    """Fill the main database with `people` residents, unless it already holds them."""
    url = f"sqlite:///{path}"
    if path.exists():
        with sqlite3.connect(path) as db:
            try:
                count = db.execute("SELECT count(*) FROM people_person").fetchone()[0]
                marker = db.execute("SELECT count(*) FROM people_property WHERE town = ?",
                                    (f"bench-{seed}",)).fetchone()[0]
            except sqlite3.OperationalError:
                count = marker = 0
        if count == people and marker:
            print(f"Reusing {path} ({people:,} residents)")
            onestop(url, "migrate", "--noinput")
            return
        path.unlink()
    print(f"Building {path}: {people:,} residents (seed {seed}) ...", flush=True)
    started = time.perf_counter()
    onestop(url, "migrate", "--noinput")
    onestop(url, "load_reference")
    onestop(url, "load_rules")
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).isoformat(sep=" ")
    today = dt.date.today()
    with sqlite3.connect(path) as db:
        service_ids = dict(db.execute(
            f"SELECT lgsl, id FROM catalogue_service WHERE lgsl IN {LGSLS}").fetchall())
        properties, households, persons, awards, received = [], [], [], [], []
        person_id = household_id = 0
        while person_id < people:
            household_id += 1
            kind = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
            floor = rng.randint(0, 4) if kind in ("flat", "maisonette") else None
            properties.append((household_id, now, now, 500_000_000_000 + household_id,
                               f"{household_id} Bench Road", "", f"bench-{seed}", "IP14 1AA",
                               kind, floor, rng.choice("ABCDEFGH"), rng.choice(TENURES)))
            households.append((household_id, now, now, household_id))
            for _ in range(min(rng.randint(1, 5), people - person_id)):
                person_id += 1
                born = today - dt.timedelta(days=rng.randint(0, 95 * 365))
                persons.append((person_id, now, now, "", "Test", "", "Resident",
                                born.isoformat() if rng.random() > 0.02 else None, "",
                                rng.random() < 0.08, "", household_id))
                if rng.random() < 0.25:
                    awards += [(b, person_id) for b in rng.sample(BENEFITS, rng.randint(1, 2))]
                if rng.random() < 0.16:
                    received.append(("bench", person_id, service_ids[rng.choice(LGSLS)]))
        db.executemany("INSERT INTO people_property (id, created_at, updated_at, uprn, "
                       "address_line_1, address_line_2, town, postcode, property_type, floor, "
                       "council_tax_band, tenure) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", properties)
        db.executemany("INSERT INTO people_household (id, created_at, updated_at, property_id)"
                       " VALUES (?,?,?,?)", households)
        db.executemany("INSERT INTO people_person (id, created_at, updated_at, title, "
                       "given_name, middle_names, family_name, date_of_birth, "
                       "national_insurance_number, has_disability, preferred_channel, "
                       "household_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", persons)
        db.executemany("INSERT INTO people_benefitaward (benefit, person_id) VALUES (?,?)",
                       awards)
        db.executemany("INSERT OR IGNORE INTO people_servicereceived (source, person_id, "
                       "service_id) VALUES (?,?,?)", received)
    print(f"  {len(properties):,} properties, {len(awards):,} benefit awards, "
          f"{len(received):,} services received, in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--database", type=Path,
                        default=Path("/tmp/onestop_screening_bench.sqlite3"))
    options = parser.parse_args()
    populate(options.database, options.people, options.seed)

    os.environ["DATABASE_URL"] = f"sqlite:///{options.database}"
    os.environ["ONESTOP_ENV"] = "test"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from onestop.eligibility.facts import facts_for
    from onestop.eligibility.queries import published_rules
    from onestop.eligibility.screening import connect, read_main_database, screen
    from onestop.people.models import Person

    today = dt.date.today()
    definitions = [d for _, _, d in published_rules()]
    print(f"{len(definitions)} rules (LGSL {', '.join(str(d.lgsl) for d in definitions)}); "
          f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    rng = random.Random(options.seed + 1)
    sample_ids = rng.sample(range(1, options.people + 1), options.sample)
    runs = []
    for repeat in range(1, options.repeats + 1):
        t0 = time.perf_counter()
        tables = read_main_database()
        t1 = time.perf_counter()
        db = connect(tables, today)
        t2 = time.perf_counter()
        found = screen(db, definitions)
        t3 = time.perf_counter()
        db.close()
        del tables
        sample = list(Person.objects.filter(pk__in=sample_ids))
        t4 = time.perf_counter()
        facts = [facts_for(person, today) for person in sample]
        offers = sum(1 for f in facts for d in definitions if d.judge(f).to_offer)
        t5 = time.perf_counter()
        for f in facts:
            f._cache.clear()
        t6 = time.perf_counter()
        for f in facts:
            for d in definitions:
                d.judge(f)
        t7 = time.perf_counter()
        scale = options.people / len(sample)
        run = {"read": t1 - t0, "facts": t2 - t1, "screen": t3 - t2, "set_based": t3 - t0,
               "per_person": (t5 - t4) * scale, "judge_only": (t7 - t6) * scale}
        runs.append(run)
        print(f"repeat {repeat}: set-based {run['set_based']:.1f} s (read {run['read']:.1f}, "
              f"facts {run['facts']:.1f}, one pass of every rule {run['screen']:.1f}); "
              f"{len(found):,} offers to {len({p for p, _ in found}):,} residents; "
              f"per person {t5 - t4:.1f} s for {len(sample):,} ({offers} offers) → "
              f"{run['per_person']:.0f} s extrapolated; evaluation alone "
              f"{run['judge_only']:.1f} s extrapolated", flush=True)
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print(f"median of {len(runs)}: set-based {median['set_based']:.1f} s (read "
          f"{median['read']:.1f}, facts {median['facts']:.1f}, screen {median['screen']:.1f}); "
          f"per person (extrapolated) {median['per_person']:.0f} s, "
          f"ratio {median['per_person'] / median['set_based']:.0f}x; evaluation alone "
          f"(extrapolated) {median['judge_only']:.1f} s")


if __name__ == "__main__":
    main()
