"""``gridgov calendar_seed [--years 2025 2026 2027]``: fill the working calendar from chinesecalendar.

Holidays and 调休 workdays for every year the installed package knows; days a person edited are
kept; years the package does not know are named, to be edited by hand (docs/calendar.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from gridgov.workcalendar.services import calendar_seed


class Command(BaseCommand):
    help = "Fill the working calendar's holidays and make-up workdays from chinesecalendar."

    def add_arguments(self, parser: Any) -> None:
        this_year = timezone.localdate().year
        parser.add_argument(
            "--years",
            nargs="+",
            type=int,
            default=[this_year, this_year + 1],
            help="Years to fill (default: this year and the next).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = calendar_seed(years=options["years"])
        unknown = []
        for result in results:
            if not result.known:
                unknown.append(result.year)
                continue
            self.stdout.write(
                f"{result.year}: {result.created} created, {result.updated} updated, "
                f"{result.removed} removed, {result.kept_manual} edited by hand kept"
            )
        if unknown:
            years = " ".join(str(year) for year in unknown)
            self.stdout.write(
                self.style.WARNING(
                    f"chinesecalendar does not know {years}: enter its holidays and make-up "
                    "workdays by hand on /calendar/<year>/ from the State Council's notice, or "
                    "upgrade chinesecalendar and run this again (see docs/calendar.md)."
                )
            )
