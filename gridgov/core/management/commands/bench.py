"""``gridgov bench NAME [--json] [--rows N]``: run a benchmark; print our figure beside its limit.

The benchmarks and how to add one: ``gridgov/benchmarks/__init__.py``.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gridgov.benchmarks import BENCHMARKS, get_benchmark, machine


class Command(BaseCommand):
    help = "Run a benchmark (figure beside the limit measured in the same run)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", choices=sorted(BENCHMARKS))
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--rows", type=int, help="Size of the run (rows, points…).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rows"] is not None and options["rows"] <= 0:
            raise CommandError("--rows must be positive")
        quiet = options["json"]

        def progress(message: str) -> None:
            if not quiet:
                self.stderr.write(message)

        result = get_benchmark(options["name"])(rows=options["rows"], progress=progress)
        if "machine" not in result:  # (not setdefault: the scratch database is gone by now)
            result["machine"] = machine()
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        unit = result.get("unit", "")
        self.stdout.write(
            f"{result['name']}: {result['value']:,} {unit}   "
            f"limit ({result['limit_name']}): {result['limit_value']:,} {unit}   "
            f"ratio {result['ratio']}"
        )
        for key, value in result.items():
            if key not in ("name", "value", "unit", "limit_name", "limit_value", "ratio"):
                self.stdout.write(f"  {key}: {value}")
