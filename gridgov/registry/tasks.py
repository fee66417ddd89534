"""Background tasks of the registry (django-tasks; the database worker runs them)."""

from __future__ import annotations

from django_tasks import TaskContext, task


@task(takes_context=True)
def import_job_run(context: TaskContext, job_id: int) -> None:
    """Run an Excel import queued from the import page. A later attempt (its worker died
    mid-run, and the task was queued again) takes over the job the dead worker left running."""
    from gridgov.registry.importing.jobs import import_job_run as run

    run(job_id, retry=context.attempt > 1)
