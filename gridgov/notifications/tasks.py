"""Background tasks of notifications (django-tasks; the database worker runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(delivery_id: int) -> str:
    """Send one delivery (see ``services.delivery_attempt``); safe to run twice."""
    from gridgov.notifications.services import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id)


@task()
def deliveries_requeue() -> int:
    """The sweep of due and lost deliveries, for a periodic scheduler to enqueue."""
    from gridgov.notifications.services import deliveries_requeue as sweep

    return sweep()
