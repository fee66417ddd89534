"""``gridgov demo``: create or refresh the embedded database with the demo data, then serve."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create or refresh the demo database (SQLite under GRIDGOV_DATA_DIR) and serve it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the data, do not serve."
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Share of the people and cases to load (tests use a small one).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "The demo data set (with its fixed demo password) is refused in the production "
                "profile."
            )
        from gridgov.demo.loader import load_demo

        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        migrated = time.perf_counter()
        context = load_demo(scale=options["scale"])
        finished = time.perf_counter()
        self.stdout.write(
            f"demo data ready in {finished - started:.1f}s "
            f"(migrate {migrated - started:.1f}s, "
            + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in context.timings.items())
            + f"); database: {settings.DATABASES['default']['NAME']}"
        )
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(f"gridgov demo: {url}")
        self.stdout.write(f"demo password for every account: {settings.GRIDGOV_DEMO_PASSWORD}")
        width = max(len(login.username) for login in context.logins)
        for login in context.logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role} · {login.where}")
        for note in context.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write("")
        if not options["no_serve"]:
            # The demo runs its background jobs too: deadlines, notifications, rollup counts.
            call_command("serve", host=options["host"], port=options["port"], with_worker=True)
