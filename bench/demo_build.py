"""How long `onestop demo --no-serve` takes at a few sizes, on fresh SQLite databases.

Run from the checkout:  .venv/bin/python bench/demo_build.py [--sizes 2000 5000 20000]
[--repeats 3]

Each repeat gets its own temporary database (a copy of one migrated template) and runs,
as separate processes, exactly what a user runs: `load_reference`, then `demo`, then
`demo` again (a rebuild over the previous demo). Wall-clock times include process
start-up; `build` is the command's own figure for do_build_demo_area. The baseline, timed
in the same run on the same databases, is `load_reference`. Prints a Markdown table of
medians.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUILT_IN = re.compile(r"\) in ([0-9.]+) s:")


def onestop(*args: str, env: dict[str, str]) -> tuple[float, str]:
    """Run one `onestop` command; returns its wall-clock seconds and its output."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "onestop.cli", *args], env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"onestop {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def environment(database: Path, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": f"sqlite:///{database}", "ONESTOP_ENV": "demo",
                "ONESTOP_HOME": str(home)})
    return env


def machine() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return (f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 20000])
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()

    results: dict[int, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="onestop-bench-") as scratch:
        scratch = Path(scratch)
        template = scratch / "template.sqlite3"
        onestop("migrate", "--noinput", env=environment(template, scratch))
        for size in options.sizes:
            timings = results.setdefault(size, {"reference": [], "demo": [], "build": [],
                                                "rebuild": []})
            for repeat in range(options.repeats):
                run = scratch / f"{size}-{repeat}"
                run.mkdir()
                database = run / "db.sqlite3"
                shutil.copy(template, database)
                env = environment(database, run)
                reference, _ = onestop("load_reference", env=env)
                demo_args = ("demo", "--people", str(size), "--no-serve",
                             "--extracts-dir", str(run / "extracts"))
                wall, output = onestop(*demo_args, env=env)
                rebuild, _ = onestop(*demo_args, env=env)
                timings["reference"].append(reference)
                timings["demo"].append(wall)
                timings["build"].append(float(BUILT_IN.search(output).group(1)))
                timings["rebuild"].append(rebuild)
                print(f"  {size:>7,} people, repeat {repeat + 1}: demo {wall:.2f} s, "
                      f"rebuild {rebuild:.2f} s, load_reference {reference:.2f} s",
                      file=sys.stderr)

    print(f"Machine: {machine()}")
    print(f"Medians of {options.repeats} runs, each on a fresh SQLite database.")
    print()
    print("| people | `demo --no-serve` (s) | build only (s) | rebuild (s) | build s per "
          "1,000 people | baseline `load_reference` (s) | demo / baseline |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size, timings in results.items():
        demo = statistics.median(timings["demo"])
        build = statistics.median(timings["build"])
        rebuild = statistics.median(timings["rebuild"])
        reference = statistics.median(timings["reference"])
        print(f"| {size:,} | {demo:.2f} | {build:.2f} | {rebuild:.2f} | "
              f"{build / size * 1000:.3f} | {reference:.2f} | {demo / reference:.1f} |")


if __name__ == "__main__":
    main()
