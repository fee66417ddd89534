"""``gridgov serve``: the production server (gunicorn sync workers), never runserver."""

from __future__ import annotations

import os
import subprocess  # noqa: S404 (gridgov's own worker, argument list, never a shell) # nosec B404
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def gunicorn_argv(*, host: str, port: int, workers: int) -> list[str]:
    """The command line of the production server; the intake load test starts the same one."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "gridgov.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--graceful-timeout",
        "20",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        # gunicorn's control socket defaults to one path per user (~/.gunicorn): a second
        # gridgov on the machine would take it over. Nothing of ours uses it.
        "--no-control-socket",
    ]


class Command(BaseCommand):
    help = "Serve gridgov with gunicorn (sync workers, persistent database connections)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("GRIDGOV_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GRIDGOV_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("GRIDGOV_WORKERS", str(min(4, (os.cpu_count() or 1) * 2)))),
        )
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run one background worker (`gridgov worker`) beside the web processes.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = gunicorn_argv(host=options["host"], port=options["port"], workers=options["workers"])
        if options["with_worker"]:
            # A child of the server: Ctrl-C in the terminal stops both (one process group).
            subprocess.Popen([sys.executable, "-m", "gridgov.cli", "worker"])  # noqa: S603 # nosec B603
            self.stdout.write("gridgov: background worker started")
        self.stdout.write(f"gridgov: serving on http://{options['host']}:{options['port']}/")
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606  (replace this process with gunicorn) # nosec B606
