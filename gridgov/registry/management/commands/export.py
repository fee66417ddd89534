"""``gridgov export KIND FILE.xlsx --user USERNAME``: the rows that user may see, masked, in the
columns of the import template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gridgov.registry.importing.kinds import EXPORTABLE, get_kind
from gridgov.registry.importing.workbooks import write_export


class Command(BaseCommand):
    help = "Export residents, houses or courtyards to Excel (scoped to a user, identifiers masked)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(EXPORTABLE))
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="Export what this user may see.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=options["user"], is_active=True)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"no active user {options['user']!r}") from error
        count = write_export(get_kind(options["kind"]), user, options["file"])
        self.stdout.write(f"{count} rows written to {options['file']}")
