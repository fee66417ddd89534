"""Queue background work so that it is exactly as durable as the write that asked for it.

With the database task backend (the embedded default) the task row is written in the caller's
transaction: it commits with the change or not at all, and nothing is lost between the commit and
the queueing (a transactional outbox). A queue outside the database (Redis) cannot join the
transaction, so the job is pushed after the commit; the periodic sweeps repair a push that failed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends


def queue_shares_the_database() -> bool:
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    return type(backend).__module__.startswith("django_tasks_db")


def enqueue_with_transaction(push: Callable[[], Any]) -> None:
    """Run ``push`` (which enqueues a task) now, in the transaction, or after the commit."""
    if queue_shares_the_database():
        push()
    else:
        transaction.on_commit(push, robust=True)
