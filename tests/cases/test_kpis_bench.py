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
