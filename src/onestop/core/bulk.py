"""Set-based updates of many rows, each to its own values, in a few statements.

Django's `bulk_update` builds a CASE expression per field per row; for the hundreds of
thousands of rows a linkage run touches that costs minutes of Python. This writes the new
values as a VALUES list and updates with one joined UPDATE per batch instead, on SQLite
(3.33+) and PostgreSQL alike. Callers are actions: it bypasses `save()` and signals.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from django.db import connection, models

# Stay well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
MAX_PARAMETERS = 30_000
IN_LIST_SIZE = 10_000
T = TypeVar("T")


def bulk_set(model: type[models.Model], fields: Sequence[str],
             rows: Sequence[Sequence[object]]) -> int:
    """Set `fields` of each row `(pk, value, value, ...)`; returns the rows given."""
    if not rows:
        return 0
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    names = ["id", *(f"v{i}" for i in range(len(columns)))]

    def cast(name: str, field: models.Field) -> str:
        # PostgreSQL types a VALUES list from its first row; say each column's type. SQLite
        # must not cast: CAST('1958-03-14' AS date) there gives the number 1958.
        if connection.vendor == "postgresql":
            return f"CAST(v.{name} AS {field.db_type(connection)})"
        return f"v.{name}"

    assignments = ", ".join(f"{quote(field.column)} = {cast(name, field)}"
                            for name, field in zip(names[1:], columns, strict=True))
    per_row = len(names)
    batch = max(1, MAX_PARAMETERS // per_row)
    pk_cast = f"CAST(v.id AS {meta.pk.db_type(connection)})" \
        if connection.vendor == "postgresql" else "v.id"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start:start + batch]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * per_row) + ")"] * len(chunk))
            sql = (f"WITH v({', '.join(names)}) AS (VALUES {placeholders}) "
                   f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = {pk_cast}")
            cursor.execute(sql, [value for row in chunk for value in _prepared(row, columns)])
    return len(rows)


def chunks(items: Iterable[T], size: int = IN_LIST_SIZE) -> Iterator[list[T]]:
    """`items` in lists of at most `size`, for `__in` filters over a million ids: SQLite
    refuses statements with more bound parameters than its limit."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _prepared(row: Sequence[object], columns: list[models.Field]) -> list[object]:
    pk, *values = row
    return [pk, *(field.get_db_prep_value(value, connection)
                  for field, value in zip(columns, values, strict=True))]
