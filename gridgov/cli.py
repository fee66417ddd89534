"""The ``gridgov`` console command: Django's management commands plus our own.

``gridgov demo``, ``gridgov serve``, ``gridgov worker`` and the rest are management commands in
``gridgov/*/management/commands``; this wrapper only sets the settings module.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gridgov", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()
