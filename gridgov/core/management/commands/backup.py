"""``gridgov backup PATH``: the database, the uploaded files and a manifest (gridgov/core/backup.py).

The encryption keys are left out unless ``--with-keys``: keep them apart from the backups (an
offline copy in the office safe), since a backup and its keys together open every ID number and
phone number in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.core.backup import KEYS_WARNING, BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump) and the uploaded files to PATH "
        "(a new directory, or an archive when PATH ends in .tar, .tar.gz or .tgz)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--with-keys",
            action="store_true",
            help="Also store the encryption keys (secrets.json). Keep such a backup apart.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["with_keys"]:
            self.stderr.write(self.style.WARNING(KEYS_WARNING))
        try:
            manifest = backup_create(path=options["path"], with_keys=options["with_keys"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"backup written to {options['path']}: {manifest['engine']}, "
            f"{len(manifest['tables'])} tables, {rows} rows, {len(manifest['files'])} files"
            + (", WITH KEYS" if manifest["keys"] else ", keys not included")
        )
