"""Set-based writes of many rows in a few statements, from plain tuples.

Django's `bulk_update` builds a CASE expression per field per row, and `bulk_create` builds
a model instance per row and prepares every value through its field; for the million rows
a linkage run touches that costs minutes of Python. These take tuples instead:

- `bulk_set` updates each row to its own values. PostgreSQL: COPY the values into a
  temporary table and run one joined UPDATE. SQLite (3.33+): an UPDATE joined to a VALUES
  list, per batch.
- `bulk_insert` inserts rows: COPY on PostgreSQL, `executemany` on SQLite, optionally
  skipping rows that would break a unique constraint.
- `insert_returning_ids` inserts rows and returns their new primary keys, in order.

Callers are actions: these bypass `save()` and signals. Fields not given get their
default (`auto_now`/`auto_now_add` fields the current time), as `bulk_create` would.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from django.db import connection, models
from django.utils import timezone

# Stay well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
MAX_PARAMETERS = 30_000
IN_LIST_SIZE = 10_000
T = TypeVar("T")
# Values of these fields go to the database driver as they are: no per-value preparation.
PLAIN_FIELDS = (models.IntegerField, models.CharField, models.TextField, models.FloatField,
                models.BooleanField, models.ForeignKey, models.AutoField, models.BigAutoField)


def bulk_set(model: type[models.Model], fields: Sequence[str],
             rows: Sequence[Sequence[object]]) -> int:
    """Set `fields` of each row `(pk, value, value, ...)`; returns the rows given."""
    if not rows:
        return 0
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    if connection.vendor == "postgresql":
        _set_by_copy(model, columns, rows)
    else:
        _set_by_values(model, columns, rows)
    return len(rows)


def bulk_insert(model: type[models.Model], fields: Sequence[str],
                rows: Iterable[Sequence[object]], *, ignore_conflicts: bool = False) -> None:
    """Insert one row per tuple of `fields` values; with `ignore_conflicts`, rows that
    would break a unique constraint are skipped (as `bulk_create(ignore_conflicts=True)`)."""
    meta = model._meta
    given = [meta.get_field(name) for name in fields]
    defaults = _defaults(model, given)
    columns = [*given, *defaults]
    extra = tuple(defaults.values())
    full_rows = (tuple(row) + extra for row in rows)
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns)
    table = quote(meta.db_table)
    if connection.vendor == "postgresql":
        if ignore_conflicts:
            with _staged(columns, full_rows) as staged:
                with connection.cursor() as cursor:
                    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM "
                                   f"{staged} ON CONFLICT DO NOTHING")
        else:
            _copy(f"COPY {table} ({names}) FROM STDIN", columns, full_rows)
        return
    verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
    sql = f"{verb} INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    prepare = _row_preparer(columns)
    with connection.cursor() as cursor:
        for chunk in chunks(full_rows, IN_LIST_SIZE):
            cursor.executemany(sql, [prepare(row) for row in chunk])


def insert_returning_ids(model: type[models.Model], fields: Sequence[str],
                         rows: Sequence[Sequence[object]]) -> list[int]:
    """`bulk_insert` of `rows`, returning the new rows' primary keys in the same order."""
    if not rows:
        return []
    meta = model._meta
    if connection.vendor != "postgresql":
        # SQLite returns the ids of a multi-row INSERT (RETURNING), batch by batch.
        names = [meta.get_field(name).attname for name in fields]  # "person" → "person_id"
        created = model.objects.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=2000)
        return [instance.pk for instance in created]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Reserve the ids first (a sequence never hands one out twice), then COPY with them.
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                       "FROM generate_series(1, %s)",
                       [quote(meta.db_table), meta.pk.column, len(rows)])
        ids = [pk for (pk,) in cursor.fetchall()]
    bulk_insert(model, [meta.pk.name, *fields],
                ((pk, *row) for pk, row in zip(ids, rows, strict=True)))
    return ids


def chunks(items: Iterable[T], size: int = IN_LIST_SIZE) -> Iterator[list[T]]:
    """`items` in lists of at most `size`, for `__in` filters over a million ids: SQLite
    refuses statements with more bound parameters than its limit."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _defaults(model: type[models.Model], given: list[models.Field]) -> dict[models.Field, object]:
    """Each concrete field not given → the value every inserted row gets, as a new model
    instance would have it (`auto_now`/`auto_now_add` fields: now)."""
    now = timezone.now()
    defaults: dict[models.Field, object] = {}
    for field in model._meta.concrete_fields:
        if field in given or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field] = now
        else:
            defaults[field] = field.get_default()
    return defaults


def _preparer(field: models.Field) -> Callable[[object], object] | None:
    if isinstance(field, PLAIN_FIELDS):
        return None
    if connection.vendor == "postgresql":
        if isinstance(field, models.DateField):  # and DateTimeField: psycopg adapts them
            return None
        if isinstance(field, models.JSONField):
            encoder = field.encoder
            return lambda value: None if value is None else json.dumps(value, cls=encoder)
    return lambda value: field.get_db_prep_value(value, connection)


def _row_preparer(columns: list[models.Field]) -> Callable[[Sequence[object]], tuple]:
    preparers = [_preparer(field) for field in columns]
    if not any(preparers):
        return tuple
    steps = list(enumerate(preparers))

    def prepare(row: Sequence[object]) -> tuple:
        values = list(row)
        for index, step in steps:
            if step is not None:
                values[index] = step(values[index])
        return tuple(values)
    return prepare


def _copy(sql: str, columns: list[models.Field], rows: Iterable[Sequence[object]]) -> None:
    prepare = _row_preparer(columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(prepare(row))


class _staged:
    """A temporary table holding `rows` (COPY), dropped on exit; its name on entry."""

    counter = itertools.count()

    def __init__(self, columns: list[models.Field], rows: Iterable[Sequence[object]]) -> None:
        self.columns, self.rows = columns, rows
        self.name = f"onestop_staged_{next(self.counter)}"

    def __enter__(self) -> str:
        quote = connection.ops.quote_name
        definition = ", ".join(f"{quote(field.column)} {field.db_type(connection)}"
                               for field in self.columns)
        names = ", ".join(quote(field.column) for field in self.columns)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {self.name} ({definition})")
        _copy(f"COPY {self.name} ({names}) FROM STDIN", self.columns, self.rows)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.name}")  # so the planner joins it by hash
        return self.name

    def __exit__(self, error_type, *exc_info) -> None:
        # After an error the transaction is aborted on PostgreSQL: a DROP would only hide
        # the error with "current transaction is aborted". The rollback drops the table.
        if error_type is not None:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


def _set_by_copy(model: type[models.Model], columns: list[models.Field],
                 rows: Sequence[Sequence[object]]) -> None:
    meta = model._meta
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}"
                            for field in columns)
    with _staged([meta.pk, *columns], rows) as staged:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {assignments} FROM {staged} v "
                           f"WHERE {table}.{pk} = v.{pk}")


def _set_by_values(model: type[models.Model], columns: list[models.Field],
                   rows: Sequence[Sequence[object]]) -> None:
    meta = model._meta
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    names = ["id", *(f"v{i}" for i in range(len(columns)))]
    # SQLite must not cast: CAST('1958-03-14' AS date) there gives the number 1958.
    assignments = ", ".join(f"{quote(field.column)} = v.{name}"
                            for name, field in zip(names[1:], columns, strict=True))
    per_row = len(names)
    batch = max(1, MAX_PARAMETERS // per_row)
    prepare = _row_preparer([meta.pk, *columns])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start:start + batch]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * per_row) + ")"] * len(chunk))
            sql = (f"WITH v({', '.join(names)}) AS (VALUES {placeholders}) "
                   f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = v.id")
            cursor.execute(sql, [value for row in chunk for value in prepare(row)])


# Above this many values, reading the whole table and filtering in Python beats sending
# the values as IN lists (each bound parameter is prepared one by one).
SCAN_ABOVE = 50_000


def values_where_in(queryset: models.QuerySet, field: str, values: Iterable[object],
                    *columns: str) -> Iterator[tuple]:
    """`queryset.filter(<field>__in=values).values_list(field, *columns)`, for any number
    of values: in IN lists of IN_LIST_SIZE, or one pass over the queryset when there are
    more than SCAN_ABOVE."""
    wanted = set(values)
    if len(wanted) > SCAN_ABOVE:
        for row in queryset.values_list(field, *columns).iterator(chunk_size=10_000):
            if row[0] in wanted:
                yield row
        return
    for chunk in chunks(wanted):
        yield from queryset.filter(**{f"{field}__in": chunk}).values_list(field, *columns)


def bulk_repoint(model: type[models.Model], field: str,
                 mapping: Sequence[tuple[object, object]]) -> None:
    """For each `(old, new)`, point the rows of `model` whose `field` is `old` at `new`, in
    one joined UPDATE (per batch on SQLite). The olds must be distinct."""
    if not mapping:
        return
    quote = connection.ops.quote_name
    column = model._meta.get_field(field)
    table, name = quote(model._meta.db_table), quote(column.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staged = f"onestop_staged_{next(_staged.counter)}"
            kind = column.db_type(connection)
            cursor.execute(f"CREATE TEMPORARY TABLE {staged} (old {kind}, new {kind})")
            _copy(f"COPY {staged} (old, new) FROM STDIN", [column, column], mapping)
            cursor.execute(f"ANALYZE {staged}")
            cursor.execute(f"UPDATE {table} SET {name} = v.new FROM {staged} v "
                           f"WHERE {table}.{name} = v.old")
            cursor.execute(f"DROP TABLE {staged}")
            return
        for start in range(0, len(mapping), MAX_PARAMETERS // 2):
            chunk = mapping[start:start + MAX_PARAMETERS // 2]
            placeholders = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(f"WITH v(old, new) AS (VALUES {placeholders}) "
                           f"UPDATE {table} SET {name} = v.new FROM v "
                           f"WHERE {table}.{name} = v.old",
                           [value for pair in chunk for value in pair])
