"""The README written next to the extracts, generated from their definitions and this build.

Everything it states comes from the Extract objects just written (columns, coverage,
rates, the errors actually made), so it cannot drift from the files.
"""

from __future__ import annotations

from onestop.demo.extracts.base import Extract
from onestop.demo.specs import Population

ERRORS = {
    "nickname": "a short form of the given name (William → Bill, Margaret → Peggy)",
    "typo": "one keyboard slip in a name: letters swapped, dropped, doubled or a "
            "neighbouring key (rate per name field)",
    "maiden_name": "the family name before marriage, for people who have one",
    "swapped_day_month": "day and month of the date of birth swapped (only when both are "
                         "12 or less and differ)",
    "missing_dob": "date of birth left blank",
    "missing_nino": "National Insurance number left blank",
    "postcode_format": "postcode without its space, in lower case, or both",
    "stale_address": "a household that moved in during the last year still at the "
                     "address it left (rate is per such record)",
    "registered_twice": "a recent mover registered at the new address and still at the "
                        "old one (rate is per such elector)",
    "no_previous_address": "a recent mover's previous address left blank on the move-in "
                           "form (rate is per such account)",
    "registration_format": "vehicle registration without its space or in lower case",
    "duplicate": "the same person's record entered twice with different record ids (each "
                 "copy gets its own errors)",
}


def render_readme(population: Population, extracts: list[Extract]) -> str:
    people = len(population.people)
    lines = [
        "# Demo back-office extracts",
        "",
        f"Synthetic extracts for the demo area (Suffolk Contact Centre: Mid Suffolk and "
        f"Babergh in Suffolk), built by `onestop demo` with seed {population.seed} on "
        f"{population.today.isoformat()} from {people:,} people in "
        f"{len(population.households):,} households. Every name, date, address, phone "
        "number and identifier is made up. Phone numbers are random numbers in valid UK "
        "ranges (the drama ranges fail validation): never call or text them. Email "
        "addresses use the reserved example.com, example.org and example.net domains.",
        "",
        "Each file has its own record ids and conventions, as real systems do. The master "
        "index links them to people; `ground_truth.csv` says who each record really is.",
        "",
        "In each file's error table, *rate* is the chance of the error per record (per name "
        "field for typos) where it can apply (a nickname needs a name that has one, a maiden "
        "name a previous family name, a stale address a household that moved in the last "
        "year); *made* is how many this build actually made.",
        "",
        "| file | records | record id column |",
        "|---|---:|---|",
    ]
    lines += [f"| `{e.filename}` | {len(e.rows):,} | `{e.id_column}` |" for e in extracts]
    lines += [
        f"| `ground_truth.csv` | {sum(len(e.rows) for e in extracts):,} | "
        "`source`, `source_record_id` |",
        "",
        "## ground_truth.csv",
        "",
        "- `source`: the extract's file name without `.csv`",
        "- `source_record_id`: the value of that extract's record id column",
        "- `resident`: the generator's number for the resident the record really describes",
        "",
    ]
    for extract in extracts:
        lines += [f"## {extract.filename}: {extract.title}", "", extract.covers, "",
                  "| column | meaning |", "|---|---|"]
        lines += [f"| `{name}` | {meaning.replace('|', '/')} |"
                  for name, meaning in extract.columns]
        lines += ["", "| error | rate | made | what |", "|---|---:|---:|---|"]
        lines += [f"| {kind} | {rate:.1%} | {extract.noise.made[kind]:,} | {ERRORS[kind]} |"
                  for kind, rate in extract.rates.items()]
        lines.append("")
    return "\n".join(lines)
