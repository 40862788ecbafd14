"""Idempotent upsert of parsed reference rows, shared by the reference loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models


@dataclass
class LoadSummary:
    """What one reference load did to one table."""

    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        line = (f"{self.name}: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged")
        return "\n".join([line, *(f"  note: {note}" for note in self.notes)])


def upsert(model: type[models.Model], key: str, rows: dict[object, dict],
           summary: LoadSummary) -> dict[object, models.Model]:
    """Make the table hold `rows` (natural key → field values); returns objects by key.

    Rows already present with the same values are left alone, so a second load writes
    nothing. Rows in the table but not in the file are kept: other records point at them.
    """
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    to_create, to_update, fields_changed = [], [], set()
    for natural_key, values in rows.items():
        obj = existing.get(natural_key)
        if obj is None:
            to_create.append(model(**{key: natural_key}, **values))
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            fields_changed.update(changed)
            to_update.append(obj)
        else:
            summary.unchanged += 1
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        model.objects.bulk_update(to_update, sorted(fields_changed), batch_size=500)
    summary.created += len(to_create)
    summary.updated += len(to_update)
    return {getattr(obj, key): obj for obj in model.objects.all()}
