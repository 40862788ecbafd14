"""Set-based writes: a row the database refuses raises its own error, not another."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from onestop.core.bulk import bulk_set
from onestop.matching.models import LinkageRun

pytestmark = pytest.mark.django_db


def test_a_refused_value_raises_the_databases_own_error():
    run = LinkageRun.objects.create(mode=LinkageRun.Mode.FULL, link_threshold=0.9,
                                    review_threshold=0.5)
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_set(LinkageRun, ["records"], [(run.pk, -1)])  # a positive integer field


def test_bulk_set_writes_each_rows_own_values():
    runs = [LinkageRun.objects.create(mode=LinkageRun.Mode.FULL, link_threshold=0.9,
                                      review_threshold=0.5) for _ in range(3)]
    bulk_set(LinkageRun, ["records", "links"], [(r.pk, n, 10 * n) for n, r in enumerate(runs)])
    assert list(LinkageRun.objects.order_by("pk").values_list("records", "links")) == [
        (0, 0), (1, 10), (2, 20)]
