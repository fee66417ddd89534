"""``gridgov seed --scale city``: build the benchmark-size city (see gridgov/demo/city.py)."""

from __future__ import annotations

import random
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Build a benchmark-size data set: 35 streets, 1,916 grids, 7,918 staff, 1M residents."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", choices=["city"], required=True)
        parser.add_argument(
            "--residents", type=int, default=None, help="residents to create (default 1,000,000)"
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=0,
            help="cases over two years with timelines and cockpit rollups (bulk; default none)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The benchmark data set is refused in the production profile.")
        from gridgov.demo import city

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.perf_counter() - started:7.1f}s] {message}")

        rng = random.Random(2026)  # noqa: S311  (fictional data)
        grids = city.build_city_areas(rng, progress)
        city.build_city_staff(grids, progress)
        total = options["residents"] if options["residents"] is not None else city.RESIDENTS
        city.build_city_residents(grids, progress, total=total)
        if options["cases"]:
            from gridgov.cockpit.citycases import generate

            generate(options["cases"], progress)
        progress("city ready")
