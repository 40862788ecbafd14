"""Integers as the database holds them.

A serializer's IntegerField takes any integer Python can hold; a 20-digit one then reaches
the database, which cannot store or even compare it (SQLite raises OverflowError,
PostgreSQL "out of range"): a server error. Every integer the API reads is one of these
fields instead, bounded by the column it ends up compared with, so too large a value is a
400 naming the field.
"""

from __future__ import annotations

from rest_framework import serializers

# Django's ranges for its integer columns, the same on SQLite and PostgreSQL.
INTEGER_MAX = 2_147_483_647  # IntegerField, PositiveIntegerField
BIG_INTEGER_MAX = 9_223_372_036_854_775_807  # BigIntegerField, BigAutoField (every id)


class BoundedIntegerField(serializers.IntegerField):
    """An IntegerField that always has both bounds: by default those of an integer column
    (`big=True`: of a 64-bit one, such as a record's id).

    `strict=True` for a JSON body: only a JSON integer will do. DRF's own field also takes
    "12", 12.0 and true there, which the schema says are not integers; a query string is
    all text, so its fields are not strict."""

    def __init__(self, *, big: bool = False, strict: bool = False, **kwargs) -> None:
        kwargs.setdefault("min_value", -(BIG_INTEGER_MAX if big else INTEGER_MAX) - 1)
        kwargs.setdefault("max_value", BIG_INTEGER_MAX if big else INTEGER_MAX)
        self.strict = strict
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if self.strict and (isinstance(data, bool) or not isinstance(data, int)):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextField(serializers.CharField):
    """A CharField that takes only text: DRF's own turns a number into a string, so a
    partner sending a number where a reference belongs would not be told."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class RecordIdField(BoundedIntegerField):
    """The id of a OneStop record (a person, a case): 1 up to what a BigAutoField holds."""

    def __init__(self, **kwargs) -> None:
        super().__init__(big=True, min_value=1, **kwargs)


class LgslField(BoundedIntegerField):
    """An LGSL service number, as catalogue.Service.lgsl (a PositiveIntegerField) holds."""

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, **kwargs)
