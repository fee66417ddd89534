"""``gridgov serve``: the production server (gunicorn sync workers), never runserver."""

from __future__ import annotations

import os
import subprocess  # noqa: S404 (gridgov's own worker, argument list, never a shell) # nosec B404
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def default_workers() -> int:
    """``GRIDGOV_WORKERS``, else one sync worker per core this process may run on (two at least,
    so that one slow request never holds every worker). The intake load test on 2 cores, with
    the database and a background worker on the same machine: 2 workers gave 20-35 % more reports
    a second than 4 (SQLite 452-501 against 360, PostgreSQL 302-348 against 260), the no-op the
    same; four processes taking turns at two cores and one database cost each report about a
    third more CPU (docs/benchmarks.md, "Web workers")."""
    configured = os.environ.get("GRIDGOV_WORKERS")
    if configured:
        return int(configured)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(2, cores)


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
            default=default_workers(),
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
