"""``gridgov restore PATH``: check a backup, restore it, then check the restored copy.

Nothing is touched unless every checksum of the backup matches its manifest. The configured
database must be empty (``--force`` replaces its contents; replaced file directories are kept
beside the restored ones as ``media.replaced-<time>``). Exits non-zero when the restored copy
differs from the manifest in any row count or file checksum.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a gridgov backup into the configured database and data directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that is not empty and file directories that hold files.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_restore(path=options["path"], force=options["force"])
        except BackupError as error:
            raise CommandError(f"nothing was restored: {error}") from error
        manifest = report.manifest
        for aside in report.moved_aside:
            self.stdout.write(f"the files that were there are kept in {aside}")
        if manifest.get("keys"):
            if report.keys_written:
                self.stdout.write(f"the backup's keys were written to {report.keys_written}")
            else:
                self.stdout.write(
                    "the backup holds keys; the production profile reads them from the "
                    "environment: copy them into the environment file yourself"
                )
        if not report.ok:
            for problem in report.mismatches:
                self.stderr.write(problem)
            raise CommandError("the restored copy differs from the backup (see above)")
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"restored {options['path']} (made {manifest['created_at']}, gridgov "
            f"{manifest['gridgov_version']}) and checked: {len(manifest['tables'])} tables and "
            f"{rows} rows, {len(manifest['files'])} files, all identical to the backup"
        )
