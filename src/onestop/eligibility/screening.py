"""The set-based evaluator: every published rule over the whole population in one pass.

The main database's residents, households, homes, benefits and services received are
read once into DuckDB (as Arrow tables); FACTS_SQL derives each resident's facts with the
same meanings as facts.py; every rule, compiled by language.to_sql, is one column of one
SELECT over that facts table. The hypothesis test in tests/eligibility proves the two
evaluators agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import duckdb
import pyarrow as pa
from django.db import connection

from onestop.eligibility.definitions import RuleDefinition, Verdict
from onestop.eligibility.language import sql_literal, to_sql
from onestop.people.models import STATE_PENSION_AGE

VERDICTS = (Verdict.LIKELY_ELIGIBLE, Verdict.NOT_ELIGIBLE, Verdict.RECEIVING,
            Verdict.NOT_APPLICABLE)
LIKELY = Verdict.LIKELY_ELIGIBLE

# The raw tables, as read from the main database (or built by the benchmark).
SCHEMAS = {
    "person": pa.schema([("id", pa.int64()), ("date_of_birth", pa.date32()),
                         ("household_id", pa.int64()), ("has_disability", pa.bool_())]),
    "household": pa.schema([("id", pa.int64()), ("property_id", pa.int64())]),
    "property": pa.schema([("id", pa.int64()), ("property_type", pa.string()),
                           ("floor", pa.int64()), ("tenure", pa.string()),
                           ("council_tax_band", pa.string())]),
    "benefit": pa.schema([("person_id", pa.int64()), ("benefit", pa.string())]),
    "received": pa.schema([("person_id", pa.int64()), ("lgsl", pa.int64())]),
}

READS = {
    # Residents who have died are no longer in a household, nor offered anything.
    "person": "SELECT id, date_of_birth, household_id, has_disability FROM people_person "
              "WHERE date_of_death IS NULL",
    "household": "SELECT id, property_id FROM people_household",
    "property": "SELECT id, property_type, floor, tenure, council_tax_band "
                "FROM people_property",
    "benefit": "SELECT person_id, benefit FROM people_benefitaward",
    "received": "SELECT r.person_id, s.lgsl FROM people_servicereceived r "
                "JOIN catalogue_service s ON s.id = r.service_id",
}


def facts_sql(today: dt.date) -> str:
    """The facts table: one row per resident, one column per fact (facts.py's meanings)."""
    y, m, d = today.year, today.month, today.day
    academic_year = y if m >= 9 else y - 1
    age = (f"({y} - year(date_of_birth) - CASE WHEN month(date_of_birth) > {m} OR "
           f"(month(date_of_birth) = {m} AND day(date_of_birth) > {d}) THEN 1 ELSE 0 END)")
    year_group = (f"({academic_year} - (year(date_of_birth) + CASE WHEN month(date_of_birth) "
                  f">= 9 THEN 1 ELSE 0 END + 4))")
    return f"""
    WITH p AS (
        SELECT id, has_disability, household_id, COALESCE(household_id, -id) AS hkey,
               {age} AS age, {year_group} AS year_group
        FROM person
    ),
    h AS (
        SELECT hkey, count(*) AS size,
               count(*) FILTER (WHERE age >= 18) AS adults,
               count(*) FILTER (WHERE year_group BETWEEN 0 AND 11) AS school_age,
               count(*) FILTER (WHERE age < 16) AS under_16
        FROM p GROUP BY hkey
    ),
    pb AS (SELECT person_id, list(DISTINCT benefit) AS benefits FROM benefit GROUP BY 1),
    ps AS (SELECT person_id, list(DISTINCT lgsl) AS services FROM received GROUP BY 1),
    hb AS (SELECT p.hkey, list(DISTINCT b.benefit) AS benefits
           FROM p JOIN benefit b ON b.person_id = p.id GROUP BY 1),
    hs AS (SELECT p.hkey, list(DISTINCT r.lgsl) AS services
           FROM p JOIN received r ON r.person_id = p.id GROUP BY 1)
    SELECT p.id AS person_id,
           p.age AS person_age,
           (p.age >= 18) AS person_is_adult,
           (p.age >= {STATE_PENSION_AGE}) AS person_of_pension_age,
           p.has_disability AS person_has_disability,
           pb.benefits AS person_receives,
           ps.services AS person_receives_service,
           h.size AS household_size,
           h.adults AS household_adults,
           h.school_age AS household_school_age_children,
           h.under_16 AS household_children_under_16,
           hb.benefits AS household_receives,
           hs.services AS household_receives_service,
           (pr.id IS NOT NULL) AS property_known,
           NULLIF(pr.property_type, '') AS property_type,
           pr.floor AS property_floor,
           NULLIF(pr.tenure, '') AS property_tenure,
           NULLIF(pr.council_tax_band, '') AS property_council_tax_band
    FROM p
    JOIN h USING (hkey)
    LEFT JOIN pb ON pb.person_id = p.id
    LEFT JOIN ps ON ps.person_id = p.id
    LEFT JOIN hb USING (hkey)
    LEFT JOIN hs USING (hkey)
    LEFT JOIN household hh ON hh.id = p.household_id
    LEFT JOIN property pr ON pr.id = hh.property_id
    """


# Residents whose home lies in one of a set of authorities: a household is wholly in or
# out (its members share the home), so the household facts of those kept are unchanged.
IN_AUTHORITIES = (" AND household_id IN (SELECT h.id FROM people_household h "
                  "JOIN people_property_authorities pa ON pa.property_id = h.property_id "
                  "WHERE pa.authority_id IN ({}))")


def read_main_database(authority_ids: Collection[int] | None = None) -> dict[str, pa.Table]:
    """The raw tables from the main database, column-wise into Arrow.

    With `authority_ids`, only the residents whose home lies in one of those authorities
    (none when it is empty); the other tables are read whole, and only rows joined to a
    resident kept are ever counted."""
    tables = {}
    with connection.cursor() as cursor:
        for name, sql in READS.items():
            params: list[int] = []
            if name == "person" and authority_ids is not None:
                params = sorted(authority_ids) or [-1]  # no authority: no resident
                sql += IN_AUTHORITIES.format(", ".join(["%s"] * len(params)))
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            schema = SCHEMAS[name]
            columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
            if name == "person":
                columns[1] = [_as_date(v) for v in columns[1]]
                columns[3] = [bool(v) for v in columns[3]]
            tables[name] = pa.Table.from_arrays(
                [pa.array(list(c), type=f.type) for c, f in zip(columns, schema, strict=True)],
                schema=schema)
    return tables


def _as_date(value):
    # SQLite hands dates back as text through a raw cursor.
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def connect(tables: dict[str, pa.Table], today: dt.date) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the raw tables and the materialised facts table."""
    db = duckdb.connect(":memory:")
    for name, table in tables.items():
        db.register(f"{name}_arrow", table)
        db.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
        db.unregister(f"{name}_arrow")
    db.execute(f"CREATE TABLE facts AS {facts_sql(today)}")
    return db


def receiving_sql(definition: RuleDefinition) -> str:
    column = f"{definition.scope}_receives_service"
    return f"COALESCE(list_contains({column}, {sql_literal(definition.lgsl)}), FALSE)"


def verdict_columns(definitions: list[RuleDefinition]) -> str:
    return ",\n".join(
        f"{to_sql(d.applies)} AS applies_{d.lgsl}, {to_sql(d.likely_eligible)} AS "
        f"eligible_{d.lgsl}, {receiving_sql(d)} AS receiving_{d.lgsl}" for d in definitions)


def verdicts(db, definitions: list[RuleDefinition]) -> dict[tuple[int, int], tuple]:
    """(person id, LGSL) → (applies, likely eligible, receiving), every rule in one scan."""
    rows = db.execute(f"SELECT person_id, {verdict_columns(definitions)} FROM facts").fetchall()
    answers = {}
    for row in rows:
        for i, definition in enumerate(definitions):
            answers[(row[0], definition.lgsl)] = tuple(row[1 + 3 * i: 4 + 3 * i])
    return answers


def to_offer_sql(definitions: list[RuleDefinition]) -> str:
    """One pass over the facts: each resident with every service they are likely eligible
    for and do not receive (applicable, likely eligible, not receiving)."""
    offers = ", ".join(
        f"CASE WHEN {to_sql(d.applies)} AND {to_sql(d.likely_eligible)} AND NOT "
        f"{receiving_sql(d)} THEN {d.lgsl} END" for d in definitions)
    return (f"SELECT person_id, lgsl FROM (SELECT person_id, unnest(list_filter([{offers}], "
            f"lambda x: x IS NOT NULL)) AS lgsl FROM facts) ORDER BY lgsl, person_id")


def screen(db, definitions: list[RuleDefinition]) -> list[tuple[int, int]]:
    """(person id, LGSL) of every resident likely eligible and not receiving."""
    if not definitions:
        return []
    return db.execute(to_offer_sql(definitions)).fetchall()


def verdict_sql(definition: RuleDefinition) -> str:
    """The verdict as text, in the order `RuleDefinition.judge` decides it: not applicable
    wins, then a service already received, then the likely-eligible condition."""
    v = {name: sql_literal(name) for name in VERDICTS}
    return (f"CASE WHEN NOT {to_sql(definition.applies)} THEN {v[Verdict.NOT_APPLICABLE]} "
            f"WHEN {receiving_sql(definition)} THEN {v[Verdict.RECEIVING]} "
            f"WHEN {to_sql(definition.likely_eligible)} THEN {v[LIKELY]} "
            f"ELSE {v[Verdict.NOT_ELIGIBLE]} END")


@dataclass(frozen=True)
class Impact:
    """What a rule would say across the whole population, beside the rule in use."""

    counts: dict[str, int]  # verdict → residents, for the rule being looked at
    in_use: dict[str, int] | None  # the same for the published rule (None when there is none)
    newly_offered: int  # offered under this rule and not under the one in use
    no_longer_offered: int

    @property
    def residents(self) -> int:
        return sum(self.counts.values())


def impact(db, definition: RuleDefinition, in_use: RuleDefinition | None) -> Impact:
    """One pass over the facts table judging every resident by both rules."""
    was = verdict_sql(in_use) if in_use is not None else "NULL"
    rows = db.execute(f"SELECT {verdict_sql(definition)} AS now, {was} AS was, count(*) "
                      f"FROM facts GROUP BY ALL").fetchall()
    counts = dict.fromkeys(VERDICTS, 0)
    before = dict.fromkeys(VERDICTS, 0) if in_use is not None else None
    newly = gone = 0
    for now, was_verdict, residents in rows:
        counts[now] += residents
        if before is not None:
            before[was_verdict] += residents
            newly += residents if now == LIKELY and was_verdict != LIKELY else 0
            gone += residents if was_verdict == LIKELY and now != LIKELY else 0
    return Impact(counts, before, newly, gone)
