"""``gridgov bench kpis`` still runs, agrees with its full scan and prints the agreed JSON (a tiny
size: this is not a timing test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_bench_kpis_prints_its_figure_beside_its_limit(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DATABASE_URL"))}
    env["GRIDGOV_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "gridgov.cli", "bench", "kpis", "--rows", "3000", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figure = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"name", "value", "unit", "limit_name", "limit_value", "ratio", "machine"} <= set(figure)
    assert figure["name"] == "kpis" and figure["checked_against_full_scan"] is True
    # The ratio is printed to three decimals.
    expected = figure["value"] / figure["limit_value"]
    assert figure["ratio"] == pytest.approx(expected, rel=0.01, abs=0.0006)
    assert figure["cases_dispatched_in_month"] > 0


def _case_indexes() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('cases_case', 'cases_caseevent')"
        )
        return dict(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_bulk_case_load_builds_the_indexes_again_after_the_load_even_when_it_fails():
    """The city's case load drops the secondary indexes of empty case tables while it writes
    and builds the same ones afterwards, also when the load fails."""
    from django.db import connection

    from gridgov.benchmarks.timelines import _indexes_deferred
    from gridgov.cases.models import Case, CaseEvent

    if connection.vendor != "sqlite":
        pytest.skip("only SQLite defers the indexes")
    tables = [Case._meta.db_table, CaseEvent._meta.db_table]
    before = _case_indexes()
    assert any("reported_at" in sql for sql in before.values())
    with pytest.raises(RuntimeError), _indexes_deferred(tables):
        assert _case_indexes() == {}
        raise RuntimeError("load failed")
    assert _case_indexes() == before
    with _indexes_deferred(tables):
        assert _case_indexes() == {}
    assert _case_indexes() == before
