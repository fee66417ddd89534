"""``gridgov rollup rebuild [--since YYYY-MM-DD]``: recompute the cockpit's rollups from the cases."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Recompute the cockpit's daily rollups from the raw cases and their timelines."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--since", help="only the days from this date on (YYYY-MM-DD)")
        parser.add_argument(
            "--slice-days",
            type=int,
            default=None,
            help="days of report read and written per transaction (default 7; memory grows with it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gridgov.cockpit.rebuild import SLICE_DAYS, rebuild

        since = None
        if options["since"]:
            try:
                since = datetime.date.fromisoformat(options["since"])
            except ValueError as error:
                raise CommandError(
                    f"--since is not a date (YYYY-MM-DD): {options['since']}"
                ) from error
        slice_days = options["slice_days"] or SLICE_DAYS
        if slice_days < 1:
            raise CommandError(f"--slice-days must be at least 1: {slice_days}")
        started = time.perf_counter()
        rows = rebuild(
            since, progress=lambda message: self.stderr.write(message), slice_days=slice_days
        )
        self.stdout.write(f"rollups rebuilt: {rows:,} rows in {time.perf_counter() - started:.1f}s")
