"""The intake load test: its no-loss check catches what it must, and a tiny run prints the agreed
JSON with every accepted report matched to exactly one case (not a timing test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest

from gridgov.benchmarks.bench_intake import check_intake, database_url, percentile_ms

ROOT = Path(__file__).resolve().parents[2]


def test_the_check_passes_when_every_accepted_key_has_its_one_case():
    check = check_intake(
        accepted={"k1": {"N1"}, "k2": {"N2"}},
        unanswered={"k3"},
        cases={"k1": ["N1"], "k2": ["N2"], "k3": ["N3"]},  # k3's answer was lost, its case not
    )
    assert check["ok"] is True
    assert check["accepted_keys"] == 2 and check["cases"] == 3


def test_the_check_fails_on_a_lost_a_duplicated_a_mismatched_and_an_unexplained_case():
    check = check_intake(
        accepted={"lost": {"N1"}, "twice": {"N2"}, "other": {"N3"}, "retried": {"N4", "N5"}},
        unanswered=set(),
        cases={
            "twice": ["N2", "N9"],
            "other": ["N7"],
            "retried": ["N4"],
            "stray": ["N8"],
        },
    )
    assert check["ok"] is False
    assert check["lost"] == ["lost"]
    assert check["duplicated"] == ["twice"]
    # "twice" has two cases; "other" names a case that is not its own; a retry that got another
    # case than the first answer is a duplicate the client saw.
    assert check["mismatched"] == ["other", "retried", "twice"]
    assert check["unexplained"] == ["stray"]
    assert check_intake(accepted={}, unanswered=set(), cases={}, keyless=1)["ok"] is False


@pytest.mark.parametrize("host", ["/var/run/postgresql", "db1.example", "127.0.0.1"])
def test_the_servers_database_url_names_the_same_server_socket_or_host(host):
    settings = {"NAME": "test_gridgov", "USER": "gridgov", "PASSWORD": "p@ss/word", "HOST": host}
    parsed = dj_database_url.parse(database_url({**settings, "PORT": 5433}, "postgresql"))
    assert (parsed["HOST"], parsed["PORT"], parsed["NAME"]) == (host, 5433, "test_gridgov")
    assert (parsed["USER"], parsed["PASSWORD"]) == ("gridgov", "p@ss/word")


def test_percentiles_are_of_the_sorted_values():
    values = [i / 1000 for i in range(1, 101)]  # 1 … 100 ms
    assert percentile_ms(values, 0.5) == 51.0
    assert percentile_ms(values, 0.99) == 100.0
    assert percentile_ms([], 0.99) is None


@pytest.mark.slow
def test_a_short_run_prints_figure_limit_ratio_and_finds_every_case(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DATABASE_URL"))}
    env["GRIDGOV_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "benchmarks" / "load_intake.py"),
            "--duration",
            "0.5",
            "--clients",
            "3",
            "--workers",
            "2",
            "--json",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figure = json.loads(result.stdout.strip().splitlines()[-1])
    assert figure["name"] == "intake"
    assert figure["value"] > 0 and figure["limit_value"] > 0
    assert figure["ratio"] == pytest.approx(
        figure["value"] / figure["limit_value"], rel=0.01, abs=0.0006
    )
    assert {"cores", "engine"} <= set(figure["machine"])
    assert figure["p50_ms"] is not None and figure["p99_ms"] >= figure["p50_ms"]
    assert set(figure["mixed"]) == {"report", "open311", "dispatch", "handle", "cockpit"}
    assert figure["mixed"]["open311"]["ok"] > 0 and figure["mixed"]["report"]["ok"] > 0
    check = figure["check"]
    assert check["ok"] is True
    assert check["accepted_keys"] > 0
    assert check["lost"] == check["duplicated"] == check["unexplained"] == []
