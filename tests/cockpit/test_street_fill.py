"""An upgraded install gets its rows by street from its rows by grid (migration 0004): the
same rows the incremental maintenance wrote, and a rebuild writes."""

from __future__ import annotations

import importlib
import random
from types import SimpleNamespace

import pytest
from django.db import connection

from tests.cockpit.conftest import random_cases
from tests.cockpit.test_rollups import START, table_rows

pytestmark = pytest.mark.django_db

fill_migration = importlib.import_module("gridgov.cockpit.migrations.0004_fill_street_rollups")


def street_rows() -> dict:
    return {k: v for k, v in table_rows().items() if k[0].endswith("_street")}


def test_street_rows_summed_from_the_grid_rows_equal_the_maintained_ones(world, taxonomy):
    from gridgov.cockpit.models import TABLES

    random_cases(world, random.Random(5), 30, START, span_days=40)
    maintained = street_rows()
    assert {identity[0] for identity in maintained} == {
        "area_street",
        "category_street",
        "channel_street",
        "department_street",
    }
    for dimension, (model, _key) in TABLES.items():
        if dimension.endswith("_street"):
            model.objects.all().delete()
    assert street_rows() == {}
    fill_migration.fill(None, SimpleNamespace(connection=connection))
    filled = street_rows()
    assert set(filled) == set(maintained)
    for identity, counts in maintained.items():
        assert filled[identity] == pytest.approx(counts), identity
    # Run again (an install whose tables already had rows): the same rows, not twice as many.
    fill_migration.fill(None, SimpleNamespace(connection=connection))
    assert street_rows() == filled
