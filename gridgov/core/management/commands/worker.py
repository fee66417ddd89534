"""``gridgov worker``: runs background jobs (the database worker, or RQ when REDIS_URL is set)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background jobs (deadlines, notifications, imports) and the follow-up relay."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", action="store_true", help="Stop when the queue is empty.")

    def handle(self, *args: Any, **options: Any) -> None:
        from gridgov.cases.followups import settle_all, start_relay

        if options["batch"]:
            settle_all()
            self._run_jobs(batch=True)
            settle_all()
            return
        from gridgov.core.loaded import freeze_loaded

        freeze_loaded()  # a long-running process: keep its modules out of full collections
        # Beside the jobs, every worker relays the case steps' follow-ups (rollup counts,
        # notifications, deadline checks) from their outbox.
        _thread, stop = start_relay()
        try:
            self._run_jobs(batch=False)
        finally:
            stop.set()

    def _run_jobs(self, *, batch: bool) -> None:
        if settings.REDIS_URL:
            # django-tasks' RQ jobs carry the task, not a plain function: RQ must load them with
            # the backend's job class.
            arguments = ["rqworker", "default", "--with-scheduler"]
            arguments += ["--job-class", "django_tasks_rq.backend.Job"]
            if batch:
                arguments.append("--burst")
            call_command(*arguments)
        else:
            from gridgov.core.tasks import orphaned_tasks_requeue, worker_id_create

            # Tasks a killed worker of this machine left half-run go back in the queue first.
            recovered = orphaned_tasks_requeue()
            if recovered:
                self.stdout.write(f"{recovered} tasks of dead workers queued again")
            call_command("db_worker", batch=batch, worker_id=worker_id_create())
