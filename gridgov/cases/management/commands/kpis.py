"""``gridgov kpis STREET_CODE YYYY-MM [--xlsx FILE] [--pdf FILE] [--user USERNAME]``: the street's
figures for the month, its rankings (赛马) on the console, and the monthly assessment report
(月考评通报) as Excel and/or PDF. Without ``--user`` it counts every case of the street (an operator
on the server); with it, only what that user may see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gridgov.areas.models import Area, AreaLevel
from gridgov.cases import kpis, reports
from gridgov.cases.models import Case


class Command(BaseCommand):
    help = "Figures (KPIs) of a street for a month; write the monthly assessment report."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("street", help="the street's area code, e.g. 110105001")
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--xlsx", type=Path, help="write the report as an Excel workbook")
        parser.add_argument("--pdf", type=Path, help="write the report as a PDF")
        parser.add_argument("--user", help="count only the cases this user may see")

    def handle(self, *args: Any, **options: Any) -> None:
        street = Area.objects.filter(code=options["street"], level=AreaLevel.STREET).first()
        if street is None:
            raise CommandError(f"no street with the code {options['street']!r}")
        cases = Case.objects.all()
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"], is_active=True)
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"no active user {options['user']!r}") from error
            cases = Case.objects.visible_to(user)
        try:
            report = reports.street_report(cases, street, options["month"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report.title)
        for key, definition in kpis.DEFINITIONS.items():
            figure = report.figures[key]
            counts = (
                f" ({figure.numerator}/{figure.denominator})"
                if isinstance(figure, kpis.Rate)
                else ""
            )
            self.stdout.write(f"  {definition.term:<12}{figure!s:>10}{counts}")
        for name, rows in report.sections():
            self.stdout.write(f"\n{name}")
            self.stdout.write("  " + " | ".join(reports.ranking_header()))
            for row in rows:
                self.stdout.write("  " + " | ".join(str(cell) for cell in reports.cells(row)))
        if options["xlsx"]:
            options["xlsx"].write_bytes(reports.to_xlsx(report))
            self.stdout.write(f"\nExcel written to {options['xlsx']}")
        if options["pdf"]:
            options["pdf"].write_bytes(reports.to_pdf(report))
            self.stdout.write(f"PDF written to {options['pdf']}")
