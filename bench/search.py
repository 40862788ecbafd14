"""How fast an adviser finds a resident: `GET /api/v1/people?q=` over a million persons.

Run from the checkout (PostgreSQL on 127.0.0.1:5432, trust auth as user postgres):

    .venv/bin/python bench/search.py [--people 1000000] [--per-kind 300] [--repeats 3]

1. Set-up, not timed: the database `onestop_search_bench` (`--database`) is created,
   migrated and given the reference data (`onestop load_reference`), then `--people`
   residents from the demo's own generator (`generate_population`, Mid Suffolk and
   Babergh): their properties (with the district and county that serve them), households,
   people and phone numbers and email addresses, written with COPY. A database that already
   holds the same population (same size, seed and day) is reused as it is. The residents
   are generated in slices of 100,000 (see SLICE: the generator's postcodes run out
   before a million). An adviser acting for the three authorities signs in once; every
   request carries the session, as the desktop's do (API tokens are for partner systems,
   which may not search for residents).
2. The query mix is drawn (seeded) from the residents in the database: exact full name, a
   name with one typo, a nickname ("Bob Smith" for Robert), the names swapped ("Smith
   John"), surname with the outward code or sector, name with date of birth, date of birth
   alone, postcode alone and phone number; `--per-kind` of each.
3. The API is served by `onestop runserver --noreload --nothreading` on a free port in a
   process of its own; requests are sequential, timed from here, after a warm-up with
   queries of their own.
4. The bare SQL, timed in the same run: every statement `search_people` issues for the
   query (captured from Django's connection, so exactly what it sends), run with psycopg on
   one connection, in one transaction per search as the search runs them. In between,
   `search_people` itself is timed in this process (SQL, scoring, no HTTP).

Each repeat times every query once through the API, in process and as bare SQL, in a
shuffled order; the summary gives the median over repeats of each percentile, and the
ratio of the API to the bare SQL. Nothing is written outside the benchmark database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
SERVER_URL = "postgres://postgres@127.0.0.1:5432"
TODAY = dt.date(2026, 12, 1)  # the population's "today": the same seed gives the same people
USERNAME = "search-bench-adviser"
KINDS = ("exact", "typo", "nickname", "swapped", "surname_postcode", "name_dob", "dob",
         "postcode", "phone")
PEOPLE_TABLES = ("people_contactdetail", "people_person", "people_household",
                 "people_property_authorities", "people_property")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--per-kind", type=int, default=300, help="queries of each kind")
    parser.add_argument("--warm-up", type=int, default=30, help="warm-up queries of each kind")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database", default="onestop_search_bench")
    args = parser.parse_args()
    if args.people < 1000:
        parser.error("--people must be at least 1000")
    if args.per_kind < 1 or args.repeats < 1:
        parser.error("--per-kind and --repeats must be at least 1")

    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"{os.cpu_count()} cores; Python {platform.python_version()}", flush=True)
    database_url = f"{SERVER_URL}/{args.database}"
    create_database(args.database)
    os.environ.update({"DATABASE_URL": database_url, "ONESTOP_ENV": "demo",
                       "DJANGO_SETTINGS_MODULE": "onestop.settings"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if not _has_reference_data():
        call_command("load_reference", verbosity=0)
    print(f"PostgreSQL {connection.cursor().connection.info.server_version}", flush=True)
    ensure_population(args.people, args.seed)
    user = ensure_adviser()
    queries = draw_queries(args.per_kind, args.seed)
    warm_up = draw_queries(args.warm_up, args.seed + 1)
    statements = {q.text: capture_statements(user, q.text) for q in queries}

    with Server(database_url) as server:
        cookie = session_cookie(user)
        print(f"warm-up: {len(warm_up)} queries", flush=True)
        for query in warm_up:
            server.get(query.text, cookie)
        repeats = []
        for repeat in range(args.repeats):
            order = list(queries)
            random.Random(args.seed + 100 + repeat).shuffle(order)
            started = time.perf_counter()
            api, found = {}, {}
            for query in order:
                api[query.text], found[query.text] = server.timed_get(query.text, cookie,
                                                                      query.person_id)
            in_process = {query.text: time_in_process(user, query.text) for query in order}
            sql = time_bare_sql(database_url, [(q.text, statements[q.text]) for q in order])
            repeats.append((api, in_process, sql, found))
            print(f"repeat {repeat + 1}: {time.perf_counter() - started:.0f} s", flush=True)
    report(queries, repeats, statements)


# --- The database ---------------------------------------------------------------------------

def create_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)


def _has_reference_data() -> bool:
    from onestop.authorities.models import Authority

    return Authority.objects.filter(slug="suffolk").exists()


def ensure_population(people: int, seed: int) -> None:
    """The population of `people` residents from `seed`, unless the database has it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS search_bench_population "
                       "(people integer, seed integer, today date)")
        cursor.execute("SELECT people, seed, today FROM search_bench_population")
        recorded = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM people_person")
        count = cursor.fetchone()[0]
    if recorded == (people, seed, TODAY) and count == people:
        print(f"reusing the {people:,} residents already loaded", flush=True)
        return
    load_population(people, seed)


# Residents generated at a time. The demo's address book has 3,600 postcodes per outward
# code and never reuses one, so one generator cannot house a million people (CO10 alone
# would need about 9,600); each slice is a generator of its own (seed + slice number).
SLICE = 100_000


def load_population(people: int, seed: int) -> None:
    """Generate the residents and COPY them in; secondary indexes are rebuilt afterwards.

    Slices share postcodes (each slice's are unique within it), so at a million people a
    postcode holds about 24 addresses rather than the generator's 15. UPRNs are
    renumbered to stay unique.
    """
    from django.db import connection, transaction

    from onestop.authorities.models import Authority

    authority = dict(Authority.objects.values_list("slug", "pk"))
    started = time.perf_counter()
    counts = {"properties": 0, "households": 0, "people": 0, "contact details": 0}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_bench_population, "
                       + ", ".join(PEOPLE_TABLES) + " RESTART IDENTITY CASCADE")
        indexes = _drop_secondary_indexes(cursor)
        # Django's foreign keys are deferred; checked at once, no events are left pending
        # when the indexes are built again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for number, first in enumerate(range(0, people, SLICE)):
            size = min(SLICE, people - first)
            _copy_slice(cursor.connection, number, size, seed + number, authority, counts)
            print(f"  {first + size:,} residents generated and copied "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for sql in indexes:
            cursor.execute(sql)
        for table in PEOPLE_TABLES:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                           f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)", [table])
        cursor.execute("INSERT INTO search_bench_population VALUES (%s, %s, %s)",
                       [people, seed, TODAY])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE " + ", ".join(PEOPLE_TABLES))
    print(f"loaded {', '.join(f'{v:,} {k}' for k, v in counts.items())} in "
          f"{time.perf_counter() - started:.0f} s (with indexes and VACUUM ANALYZE)", flush=True)


def _copy_slice(pg, number: int, size: int, seed: int, authority: dict[str, int],
                counts: dict[str, int]) -> None:
    """One slice's rows, COPY by COPY (a connection carries one at a time), with ids
    following the slices before it."""
    from onestop.demo.places import COUNTY
    from onestop.demo.population import generate_population

    population = generate_population(size, seed, TODAY)
    stamp = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    property_ids: dict[int, int] = {}
    with pg.cursor().copy(
            "COPY people_property (id, created_at, updated_at, uprn, address_line_1, "
            "address_line_2, town, postcode, property_type, floor, council_tax_band, "
            "tenure) FROM STDIN") as copy:
        for spec in population.properties:
            counts["properties"] += 1
            pk = property_ids[spec.uprn] = counts["properties"]
            a = spec.address
            copy.write_row((pk, stamp, stamp, number * 10**9 + spec.uprn, a.line_1, a.line_2,
                            a.town, a.postcode, spec.property_type, spec.floor,
                            spec.council_tax_band, spec.tenure))
    with pg.cursor().copy("COPY people_property_authorities (property_id, authority_id) "
                          "FROM STDIN") as copy:
        for spec in population.properties:
            for slug in (spec.district, COUNTY):
                copy.write_row((property_ids[spec.uprn], authority[slug]))
    household_ids = []
    with pg.cursor().copy("COPY people_household (id, created_at, updated_at, property_id) "
                          "FROM STDIN") as copy:
        for household in population.households:
            counts["households"] += 1
            household_ids.append(counts["households"])
            copy.write_row((counts["households"], stamp, stamp,
                            property_ids[household.property.uprn]))
    details = []
    with pg.cursor().copy("COPY people_person (id, created_at, updated_at, title, given_name, "
                          "middle_names, family_name, date_of_birth, "
                          "national_insurance_number, household_id, has_disability, "
                          "preferred_channel) FROM STDIN") as copy:
        for household_pk, household in zip(household_ids, population.households, strict=True):
            for p in household.members:
                counts["people"] += 1
                pk = counts["people"]
                copy.write_row((pk, stamp, stamp, p.title, p.given_name, p.middle_names,
                                p.family_name, p.date_of_birth, p.ni_number, household_pk,
                                p.has_disability, p.preferred_channel))
                details += [(pk, "phone", phone.value, phone.e164, phone.is_mobile,
                             phone.is_preferred) for phone in p.phones]
                details += [(pk, "email", email.value, email.value.strip().lower(), False,
                             email.is_preferred) for email in p.emails]
    with pg.cursor().copy("COPY people_contactdetail (id, created_at, updated_at, person_id, "
                          "kind, value, normalised, is_mobile, is_preferred) FROM STDIN") as copy:
        for detail in details:
            counts["contact details"] += 1
            copy.write_row((counts["contact details"], stamp, stamp, *detail))


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the people tables' indexes other than primary keys and unique constraints;
    returns the statements that build them again (one CREATE INDEX each is far faster
    than keeping a GIN index up to date row by row)."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) "
        "AND NOT i.indisprimary AND NOT i.indisunique", [list(PEOPLE_TABLES)])
    rows = cursor.fetchall()
    for name, _ in rows:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in rows]


def ensure_adviser():
    """An adviser acting for Suffolk, Mid Suffolk and Babergh (as the demo's adviser)."""
    from onestop.authorities.models import Authority
    from onestop.demo.staff import ALL
    from onestop.staff.actions import do_create_staff_user
    from onestop.staff.models import Role, User

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = do_create_staff_user(username=USERNAME, first_name="Search", last_name="Bench",
                                    roles=[Role.ADVISER],
                                    authorities=list(Authority.objects.filter(slug__in=ALL)))
    assert len(user.authority_ids()) == len(ALL), "the adviser must act for three authorities"
    return user


def session_cookie(user) -> str:
    """A signed-in session for the adviser, as the desktop's sign-in leaves one."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


# --- The query mix --------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    person_id: int  # the resident it was drawn from


@dataclass(frozen=True)
class Resident:
    pk: int
    given: str
    family: str
    date_of_birth: dt.date
    postcode: str
    phone: str


def draw_queries(per_kind: int, seed: int) -> list[Query]:
    """`per_kind` queries of every kind, each from a resident drawn at random (seeded)."""
    from onestop.matching.names import name_variants

    rng = random.Random(seed)
    residents = _residents(rng, per_kind * len(KINDS) * 4)
    rng.shuffle(residents)
    date_formats = ("%d/%m/%Y", "%Y-%m-%d", "%d %b %Y", "%d.%m.%y")
    made: dict[str, list[Query]] = {kind: [] for kind in KINDS}
    seen: set[str] = set()
    for resident in residents:
        given, family = resident.given, resident.family
        outward, inward = resident.postcode.split(" ")
        options = {
            "exact": f"{given} {family}",
            "swapped": f"{family} {given}",
            "surname_postcode": (f"{family} {outward}" if rng.random() < 0.5
                                 else f"{family} {outward} {inward[0]}"),
            "name_dob": f"{given} {family} {resident.date_of_birth:{rng.choice(date_formats)}}",
            "dob": f"{resident.date_of_birth:{rng.choice(date_formats[:3])}}",
            "postcode": (resident.postcode if rng.random() < 0.7
                         else resident.postcode.replace(" ", "").lower()),
        }
        if resident.phone:
            options["phone"] = resident.phone
        typo = _with_typo(given, family, rng)
        if typo:
            options["typo"] = typo
        nicknames = sorted(v for v in name_variants(given.lower()) if v != given.lower()
                           and v.isalpha())
        if nicknames:
            options["nickname"] = f"{rng.choice(nicknames).capitalize()} {family}"
        # Each resident gives the kind that is furthest behind among those it can give.
        wanted = [kind for kind in KINDS if kind in options and len(made[kind]) < per_kind
                  and options[kind] not in seen]
        if wanted:
            kind = min(wanted, key=lambda k: len(made[k]))
            made[kind].append(Query(kind, options[kind], resident.pk))
            seen.add(options[kind])
        if all(len(queries) >= per_kind for queries in made.values()):
            break
    short = {kind: len(queries) for kind, queries in made.items() if len(queries) < per_kind}
    if short:
        raise SystemExit(f"too few residents to draw {per_kind} queries of: {short}")
    return [query for kind in KINDS for query in made[kind]]


def _residents(rng: random.Random, count: int) -> list[Resident]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM people_person")
        low, high = cursor.fetchone()
        ids = rng.sample(range(low, high + 1), min(count, high - low + 1))
        cursor.execute(
            "SELECT p.id, p.given_name, p.family_name, p.date_of_birth, pr.postcode, "
            "(SELECT c.value FROM people_contactdetail c WHERE c.person_id = p.id "
            " AND c.kind = 'phone' ORDER BY c.id LIMIT 1) "
            "FROM people_person p JOIN people_household h ON h.id = p.household_id "
            "JOIN people_property pr ON pr.id = h.property_id WHERE p.id = ANY(%s) "
            "ORDER BY p.id", [ids])
        return [Resident(pk, given, family, born, postcode, phone or "")
                for pk, given, family, born, postcode, phone in cursor.fetchall()]


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _with_typo(given: str, family: str, rng: random.Random) -> str:
    """The full name with one letter wrong, missing, added or two swapped in one name of
    5 letters or more (the search tolerates one edit from 3 letters)."""
    words = [given, family]
    which = rng.randrange(2)
    word = words[which]
    if len(word) < 5 or not word.isalpha():
        which, word = 1 - which, words[1 - which]
        if len(word) < 5 or not word.isalpha():
            return ""
    i = rng.randrange(1, len(word) - 1)  # keep the first letter, as people mostly do
    edit = rng.choice(("substitute", "delete", "insert", "swap"))
    if edit == "substitute":
        typo = word[:i] + rng.choice(_LETTERS.replace(word[i].lower(), "")) + word[i + 1:]
    elif edit == "delete":
        typo = word[:i] + word[i + 1:]
    elif edit == "insert":
        typo = word[:i] + rng.choice(_LETTERS) + word[i:]
    else:
        typo = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if typo.lower() == word.lower():
        return ""
    words[which] = typo
    return " ".join(words)


# --- Timing ---------------------------------------------------------------------------------

def capture_statements(user, text: str) -> list[str]:
    """Every SQL statement `search_people` sends for `text`, as sent."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onestop.people.queries import PersonSearch, search_people

    user.authority_ids()  # cached on the user: not part of the search
    connection.queries_log.clear()  # it keeps 9,000 at most, which would cut the capture
    with CaptureQueriesContext(connection) as captured:
        search_people(user, PersonSearch(text=text))
    return [query["sql"] for query in captured.captured_queries]


def time_in_process(user, text: str) -> float:
    from onestop.people.queries import PersonSearch, search_people

    started = time.perf_counter()
    search_people(user, PersonSearch(text=text))
    return time.perf_counter() - started


def time_bare_sql(database_url: str, searches: list[tuple[str, list[str]]]) -> dict[str, float]:
    """Each search's statements run with psycopg as captured (with the BEGIN and COMMIT
    around its name tiers, whose settings are local to that transaction), rows fetched as
    Django fetches them."""
    import psycopg

    times = {}
    with psycopg.connect(database_url, autocommit=True) as conn, conn.cursor() as cursor:
        for text, statements in searches:
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
            times[text] = time.perf_counter() - started
    return times


class Server:
    """`onestop runserver` in a process of its own, on a free port."""

    def __init__(self, database_url: str):
        self.env = dict(os.environ, DATABASE_URL=database_url, ONESTOP_ENV="demo")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [str(CHECKOUT / ".venv/bin/onestop"), "runserver", "--noreload", "--nothreading",
             f"127.0.0.1:{self.port}"], env=self.env, cwd=CHECKOUT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise SystemExit("onestop runserver exited at start") from None
                time.sleep(0.2)
        raise SystemExit("onestop runserver did not start within 60 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def get(self, text: str, cookie: str) -> dict:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", "/api/v1/people?" + urllib.parse.urlencode({"q": text}),
                               headers={"Cookie": cookie, "Accept": "application/json"})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise SystemExit(f"GET /api/v1/people?q={text!r}: {response.status} {body[:300]!r}")
        return json.loads(body)

    def timed_get(self, text: str, cookie: str, person_id: int) -> tuple[float, bool]:
        """Seconds for one request, from connecting to the last byte of the answer; and
        whether the resident the query was drawn from is among the results."""
        started = time.perf_counter()
        answer = self.get(text, cookie)
        elapsed = time.perf_counter() - started
        return elapsed, any(result["id"] == person_id for result in answer["results"])


# --- The summary ----------------------------------------------------------------------------

def percentiles(seconds: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 in milliseconds."""
    if len(seconds) == 1:
        return (seconds[0] * 1000,) * 3
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def report(queries: list[Query], repeats, statements: dict[str, list[str]]) -> None:
    groups = [(kind, [q for q in queries if q.kind == kind]) for kind in KINDS]
    groups.append(("all", queries))
    print()
    print("| kind | queries | found | statements | API p50 | API p95 | API p99 "
          "| in-process p50 | in-process p95 | bare SQL p50 | bare SQL p95 "
          "| API / SQL p50 | API / SQL p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind, members in groups:
        figures = []
        for api, in_process, sql, _ in repeats:
            figures.append((*percentiles([api[q.text] for q in members]),
                            *percentiles([in_process[q.text] for q in members])[:2],
                            *percentiles([sql[q.text] for q in members])[:2]))
        median = [statistics.median(column) for column in zip(*figures, strict=True)]
        api50, api95, api99, proc50, proc95, sql50, sql95 = median
        found = statistics.mean(sum(r[3][q.text] for q in members) / len(members)
                                for r in repeats)
        count = statistics.mean(len(statements[q.text]) for q in members)
        label = f"**{kind}**" if kind == "all" else kind
        print(f"| {label} | {len(members)} | {found:.0%} | {count:.1f} | {api50:.1f} "
              f"| {api95:.1f} | {api99:.1f} | {proc50:.1f} | {proc95:.1f} | {sql50:.1f} "
              f"| {sql95:.1f} | {api50 / sql50:.1f} | {api95 / sql95:.1f} |")
    print("\nTimes in ms, medians over", len(repeats), "repeats. found: share of queries whose "
          "resident is among the results.")
    slowest = sorted(queries, key=lambda q: -statistics.median(r[0][q.text] for r in repeats))
    print("\nslowest through the API (median ms, kind, query):")
    for query in slowest[:10]:
        print(f"  {statistics.median(r[0][query.text] for r in repeats) * 1000:7.1f}  "
              f"{query.kind:16}  {query.text}")


if __name__ == "__main__":
    sys.path.insert(0, str(CHECKOUT / "src"))
    main()
