"""The benchmarks still run and print the agreed JSON (tiny sizes: this is not a timing test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

KEYS = {"name", "value", "unit", "limit_name", "limit_value", "ratio", "machine"}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "rows"), [("locate", "2000"), ("import", "300")])
def test_bench_prints_its_figure_beside_its_limit(tmp_path, name, rows):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DATABASE_URL"))}
    env["GRIDGOV_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "gridgov.cli", "bench", name, "--rows", rows, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figure = json.loads(result.stdout.strip().splitlines()[-1])
    assert KEYS <= set(figure)
    assert figure["name"] == name
    assert figure["value"] > 0 and figure["limit_value"] > 0
    # The ratio is printed to three decimals.
    expected = figure["value"] / figure["limit_value"]
    assert figure["ratio"] == pytest.approx(expected, rel=0.01, abs=0.0006)
    assert {"cores", "engine"} <= set(figure["machine"])
