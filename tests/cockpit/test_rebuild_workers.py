"""The rebuild counted in forked worker processes (``rebuild(workers=2)``) writes the same rows
as the rebuild counted in its own process, and a worker's error fails the rebuild with the days
written before it whole.

Transactional tests: the workers open their own connections to the test database (a file, see
settings.py), so they see only committed cases."""

from __future__ import annotations

import datetime
import os
import random

import pytest
from django.core.management import call_command
from django.db import transaction

from gridgov.cockpit import rebuild as rebuilding
from gridgov.cockpit.models import TABLES
from gridgov.cockpit.rebuild import rebuild
from tests.cockpit.conftest import SHANGHAI, random_cases

# Not inside pytest-xdist's workers (make test): forked there, a worker hung on a lock it
# inherited, in two CI runs (PostgreSQL, then SQLite); run alone, these tests pass. Counting in
# workers is asked for, not the default (see rebuild.WORKERS). Run them with
# `pytest tests/cockpit/test_rebuild_workers.py` (no -n).
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        bool(os.environ.get("PYTEST_XDIST_WORKER")),
        reason="forking inside an xdist worker hung twice; run this file without -n",
    ),
]

START = datetime.datetime(2025, 2, 1, tzinfo=SHANGHAI)


def all_rows() -> dict:
    """(dimension, day, area code, key) → the row's columns, of every rollup table."""
    rows = {}
    for dimension, (model, key_column) in TABLES.items():
        for row in model.objects.values():
            row.pop("id")
            key = row[key_column] if key_column else None
            rows[(dimension, row["day"], row["area_code"], key)] = row
    return rows


@pytest.fixture
def cases(world, taxonomy):
    random_cases(world, random.Random(4), 30, START, span_days=60)
    return world


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """Records the number of workers of each rebuild that counted in worker processes."""
    calls: list[int] = []
    computed = rebuilding._computed

    def counting(slices, workers):
        calls.append(workers)
        return computed(slices, workers)

    monkeypatch.setattr(rebuilding, "_computed", counting)
    return calls


def test_rebuild_in_worker_processes_writes_the_rows_of_the_rebuild_in_process(cases, forks):
    written = rebuild(slice_days=3, workers=0)
    here = all_rows()
    assert written == len(here) > 0 and forks == []
    stale = datetime.date(2025, 1, 2)
    TABLES["area"][0].objects.create(day=stale, area_code=cases.grid_a.code, reported=7)

    assert rebuild(slice_days=3, workers=2, parallel_from=0) == written
    assert forks == [2]
    assert all_rows() == here  # the same arithmetic in the same order: equal, not just close

    TABLES["area"][0].objects.create(day=stale, area_code=cases.grid_a.code, reported=7)
    rebuild(since=datetime.date(2025, 1, 1), slice_days=1, workers=2, parallel_from=0)
    assert all_rows() == here
    rebuild(since=datetime.date(2025, 3, 10), slice_days=2, workers=2, parallel_from=0)
    assert all_rows() == here
    assert forks == [2, 2, 2]


def test_the_command_counts_in_workers_when_asked(cases, forks):
    call_command("rollup", "rebuild", "--workers", "0")
    here = all_rows()
    call_command("rollup", "rebuild", "--workers", "2", "--parallel-from", "0")
    assert forks == [2]
    assert all_rows() == here


def test_an_error_in_a_worker_fails_the_rebuild_and_leaves_the_days_before_it_whole(
    cases, forks, monkeypatch
):
    rebuild(slice_days=7, workers=0)
    whole = all_rows()
    for model, _key_column in TABLES.values():
        model.objects.all().delete()
    slices = rebuilding._slices(None, 7)
    assert len(slices) > 4
    failing = slices[3][0]
    slice_cases = rebuilding._slice_cases

    def failing_slice(bounds):
        if bounds == failing:
            raise RuntimeError("the database went away")
        return slice_cases(bounds)

    # Patched before the workers are forked, so they count with it.
    monkeypatch.setattr(rebuilding, "_slice_cases", failing_slice)
    with pytest.raises(RuntimeError, match="went away"):
        rebuild(slice_days=7, workers=2, parallel_from=0)
    assert forks == [2]
    # The slices before the failing one were written, each in its own transaction, with every
    # count of their days; nothing of the failing slice's days or later.
    assert all_rows() == {key: row for key, row in whole.items() if key[1] < failing.lower}


def test_the_rebuild_counts_in_process_unless_asked(cases):
    assert rebuilding._use_workers(None, None, parallel_from=0) == 0


def test_small_rebuilds_and_rebuilds_in_a_transaction_count_in_process(cases):
    assert rebuilding._use_workers(2, None, parallel_from=0) == 2
    assert rebuilding._use_workers(2, None, parallel_from=10_000) == 0
    assert rebuilding._use_workers(1, None, parallel_from=0) == 0
    with transaction.atomic():
        # forked workers would not see this transaction's rows
        assert rebuilding._use_workers(2, None, parallel_from=0) == 0
