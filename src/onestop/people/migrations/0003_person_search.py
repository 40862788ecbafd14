"""Indexes for fuzzy person search (onestop.people.search), one set per database.

People are written in bulk (bulk_create, queryset.update, the matching jobs), so the search
index lives in the database itself and no Python signal is needed to keep it right:

- PostgreSQL: a function, onestop_name_keys(), and a GIN index on each person's name
  keys (their words, and each word with one letter deleted: whole words, nicknames and
  typos one edit away); the pg_trgm extension with a GIN trigram index on the full name
  (long words two edits away); btree indexes on lower(given_name) / lower(family_name)
  with text_pattern_ops (LIKE 'abc%'). All are expression indexes on people_person
  itself, so every write keeps them right. people_property.postcode already has
  Django's varchar_pattern_ops index, which serves partial postcodes.
- SQLite: an FTS5 table with the trigram tokenizer (SQLite 3.34 or later) holding each
  person's padded names, filled from people_person and kept in step by triggers.

Warning for later migrations: when Django's SQLite schema editor rebuilds people_person
(most AlterField/RemoveField operations do), the table's triggers go with it and the FTS
table silently stops following it. Such a migration must run SQLITE_FORWARDS below again
(it rebuilds the FTS table too); tests/people/test_fuzzy_search.py checks the triggers.

The operations below are state-free (no model knows of these indexes), each guarded by the
database vendor, so `makemigrations` stays quiet and both databases migrate cleanly.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# The padded, lower-case names the trigram tokenizer indexes: each word gets two spaces
# before and one after, as pg_trgm pads, so that typos keep the first letters' trigrams.
_NAMES = ("'  ' || replace(replace(replace(lower(trim({row}.given_name || ' ' || "
          "{row}.middle_names || ' ' || {row}.family_name)), '-', ' '), '  ', ' '), ' ', '   ')"
          " || ' '")

SQLITE_FORWARDS = [
    "DROP TABLE IF EXISTS people_person_search",
    "CREATE VIRTUAL TABLE people_person_search USING fts5(names, tokenize = 'trigram')",
    "INSERT INTO people_person_search (rowid, names) "
    f"SELECT id, {_NAMES.format(row='people_person')} FROM people_person",
    "DROP TRIGGER IF EXISTS people_person_search_insert",
    "CREATE TRIGGER people_person_search_insert AFTER INSERT ON people_person BEGIN "
    f"INSERT INTO people_person_search (rowid, names) VALUES (new.id, {_NAMES.format(row='new')});"
    " END",
    "DROP TRIGGER IF EXISTS people_person_search_update",
    "CREATE TRIGGER people_person_search_update "
    "AFTER UPDATE OF id, given_name, middle_names, family_name ON people_person BEGIN "
    "DELETE FROM people_person_search WHERE rowid = old.id; "
    f"INSERT INTO people_person_search (rowid, names) VALUES (new.id, {_NAMES.format(row='new')});"
    " END",
    "DROP TRIGGER IF EXISTS people_person_search_delete",
    "CREATE TRIGGER people_person_search_delete AFTER DELETE ON people_person BEGIN "
    "DELETE FROM people_person_search WHERE rowid = old.id; END",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS people_person_search_insert",
    "DROP TRIGGER IF EXISTS people_person_search_update",
    "DROP TRIGGER IF EXISTS people_person_search_delete",
    "DROP TABLE IF EXISTS people_person_search",
]

_FULL_NAME = "(given_name || ' ' || middle_names || ' ' || family_name)"
POSTGRESQL_FORWARDS = [
    # A name's keys: its words (lower case, hyphens splitting) and, marked "~", each word
    # of 3+ letters with one letter deleted. Two words one edit apart share a key, so a
    # typo is found by a handful of exact GIN lookups (onestop.people.search.typo_keys).
    # PL/pgSQL is about twice as fast as the same in SQL here. Its high COST tells the
    # planner to find rows through the index on it rather than by calling it row by row.
    """CREATE FUNCTION onestop_name_keys(names text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    DECLARE
      keys text[] := '{}';
      word text;
    BEGIN
      FOREACH word IN ARRAY string_to_array(translate(lower(names), '-', ' '), ' ') LOOP
        CONTINUE WHEN word = '';
        keys := keys || word;
        IF length(word) >= 3 THEN
          FOR i IN 1..length(word) LOOP
            keys := keys || ('~' || left(word, i - 1) || substr(word, i + 1));
          END LOOP;
        END IF;
      END LOOP;
      RETURN keys;
    END
    $$""",
    # The same expressions as onestop.people.search (NAME_KEYS_SQL, FULL_NAME_SQL), or
    # the indexes go unused.
    f"CREATE INDEX people_person_name_keys ON people_person USING gin "
    f"(onestop_name_keys({_FULL_NAME}))",
    f"CREATE INDEX people_person_name_trgm ON people_person USING gin ({_FULL_NAME} "
    "gin_trgm_ops)",
    "CREATE INDEX people_person_given_lower_like "
    "ON people_person (lower(given_name) text_pattern_ops)",
    "CREATE INDEX people_person_family_lower_like "
    "ON people_person (lower(family_name) text_pattern_ops)",
]
POSTGRESQL_BACKWARDS = [
    "DROP INDEX IF EXISTS people_person_family_lower_like",
    "DROP INDEX IF EXISTS people_person_given_lower_like",
    "DROP INDEX IF EXISTS people_person_name_trgm",
    "DROP INDEX IF EXISTS people_person_name_keys",
    "DROP FUNCTION IF EXISTS onestop_name_keys(text)",
]


class RunSQLOn(migrations.RunSQL):
    """RunSQL on one database vendor only; a no-op elsewhere."""

    def __init__(self, vendor, sql, reverse_sql):
        self.vendor = vendor
        super().__init__(sql, reverse_sql)

    def deconstruct(self):
        name, _args, kwargs = super().deconstruct()
        return name, [self.vendor, kwargs.pop("sql"), kwargs.pop("reverse_sql")], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Raw SQL on {self.vendor} only"


class PostgresTrigramExtension(TrigramExtension):
    """Django guards creating an extension by vendor but not dropping it; guard both."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def check_sqlite_has_trigram_fts(apps, schema_editor):
    """Fail with a clear message rather than "no such tokenizer" halfway through."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    version = connection.Database.sqlite_version_info
    if version < (3, 34, 0):
        raise RuntimeError(f"person search needs SQLite 3.34 or later (FTS5 with the trigram "
                           f"tokenizer); this Python has {connection.Database.sqlite_version}")


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0002_initial"),
    ]

    operations = [
        PostgresTrigramExtension(),  # a no-op on databases other than PostgreSQL
        RunSQLOn("postgresql", POSTGRESQL_FORWARDS, POSTGRESQL_BACKWARDS),
        migrations.RunPython(check_sqlite_has_trigram_fts, migrations.RunPython.noop),
        RunSQLOn("sqlite", SQLITE_FORWARDS, SQLITE_BACKWARDS),
    ]
