"""Intake load test: ``python benchmarks/load_intake.py [--duration S] [--engine sqlite|postgresql]``.

Bounded and loopback only: it builds a scratch database of the chosen engine, starts the
production server (``gridgov serve``'s gunicorn) on 127.0.0.1, runs each phase for ``--duration``
seconds, checks that every accepted report has exactly one case, stops the server and drops the
database. ``gridgov bench intake`` is the same with 4-second phases. What it measures:
gridgov/benchmarks/bench_intake.py; figures: docs/benchmarks.md "Load test (intake)".

--engine postgresql uses DATABASE_URL when it names a PostgreSQL server, else starts the local one
(``scripts/postgres-local start --socket``, Debian's package) and connects through its Unix
socket, as ``scripts/production-local`` does.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--clients", type=int, default=8, help="closed-loop clients")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    options = parser.parse_args(argv)
    if not 0 < options.duration <= 600:
        parser.error("--duration is 0 to 600 seconds")
    if options.engine == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    elif options.engine == "postgresql" and not os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://")
    ):
        os.environ["DATABASE_URL"] = subprocess.run(  # noqa: S603
            ["bash", str(ROOT / "scripts" / "postgres-local"), "start", "--socket"],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from gridgov.benchmarks.bench_intake import run

    def progress(message: str) -> None:
        if not options.json:
            print(message, file=sys.stderr, flush=True)

    result = run(
        seconds=options.duration,
        clients=options.clients,
        workers=options.workers,
        progress=progress,
    )
    print(json.dumps(result, ensure_ascii=False) if options.json else _text(result))
    return 0


def _text(result: dict) -> str:
    return (
        f"intake ({result['machine']['engine']}): creation {result['value']:,} cases/s, "
        f"no-op {result['limit_value']:,} requests/s, ratio {result['ratio']}; "
        f"at {result['paced_rate']}/s p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms; "
        f"errors {result['errors']}; every accepted report has one case: {result['check']['ok']}"
    )


if __name__ == "__main__":
    sys.exit(main())
