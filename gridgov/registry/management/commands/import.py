"""``gridgov import KIND FILE.xlsx``: import an exchange sheet from the console.

Runs the same engine as the import page: every row validated, valid rows applied (or none, with
``--all-or-nothing``; or none at all, with ``--dry-run``), and a result workbook listing every
rejected row with its reasons, written beside the file unless ``--result`` says where.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gridgov.registry.importing.kinds import KINDS
from gridgov.registry.importing.runner import ImportRefused, ImportReport, run_import


class Command(BaseCommand):
    help = "Import an Excel sheet of areas, residents, houses or courtyards."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row, write nothing."
        )
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="Write nothing unless every row is valid (one transaction).",
        )
        parser.add_argument(
            "--user", default="admin", help="Import as this user (their areas and rights)."
        )
        parser.add_argument("--result", type=Path, help="Where to write the result workbook.")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist")
        try:
            user = get_user_model().objects.get(username=options["user"], is_active=True)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"no active user {options['user']!r}") from error
        result = options["result"] or path.with_name(path.stem + ".result.xlsx")
        verbosity = options["verbosity"]

        def progress(report: ImportReport) -> None:
            if verbosity > 1:
                self.stdout.write(f"  {report.stage}: {report.processed}/{report.total}")

        try:
            report = run_import(
                kind=options["kind"],
                path=path,
                actor=user,
                all_or_nothing=options["all_or_nothing"],
                dry_run=options["dry_run"],
                result_path=result,
                batch_size=options["batch_size"],
                progress=progress,
            )
        except ImportRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            f"{report.processed} rows: {report.accepted} accepted "
            f"({report.created} added, {report.updated} updated, {report.unchanged} unchanged), "
            f"{report.rejected} rejected; "
            f"{'written' if report.applied else 'nothing written'}; "
            f"{report.seconds:.1f}s; result: {report.result_path}"
        )
        if report.unknown_columns:
            self.stdout.write("ignored columns: " + ", ".join(report.unknown_columns))
