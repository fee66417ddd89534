"""Background tasks of the registry (django-tasks; the database worker runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_job_run(job_id: int) -> None:
    """Run an Excel import queued from the import page."""
    from gridgov.registry.importing.jobs import import_job_run as run

    run(job_id)
