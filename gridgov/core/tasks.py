"""Queue background work so that it is exactly as durable as the write that asked for it.

With the database task backend (the embedded default) the task row is written in the caller's
transaction: it commits with the change or not at all, and nothing is lost between the commit and
the queueing (a transactional outbox). A queue outside the database (Redis) cannot join the
transaction, so the job is pushed after the commit; the periodic sweeps repair a push that failed.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

logger = logging.getLogger(__name__)


def queue_shares_the_database() -> bool:
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    return type(backend).__module__.startswith("django_tasks_db")


def enqueue_with_transaction(push: Callable[[], Any]) -> None:
    """Run ``push`` (which enqueues a task) now, in the transaction, or after the commit."""
    if queue_shares_the_database():
        push()
    else:
        transaction.on_commit(push, robust=True)


# --- Tasks of a worker that died --------------------------------------------------------------
# The database worker marks a task RUNNING when it takes it and SUCCESSFUL or FAILED when it ends.
# A worker killed in between (kill -9, the out-of-memory killer, a power cut) leaves it RUNNING
# for ever: nothing would run it again. Each ``gridgov worker`` therefore names itself after its
# machine and process id, and a worker starting (or the sweep) puts back in the queue the tasks
# of workers of this machine whose process is gone. Our tasks are safe to run twice (deadline
# checks are compare-and-set, imports upsert or take a job once), so running one again is right.
# Workers on other machines cannot be checked from here; each machine's own worker does it.

WORKER_ID_SEPARATOR = "/"
# A task that took its worker down this many times (it exhausts memory, say) is marked failed
# instead of taking the next worker down too.
MAX_ATTEMPTS = 3


def _this_machine() -> str:
    return socket.gethostname()[:40]


def worker_id_create() -> str:
    """``<machine>/<process id>/<random>``: unique, and tells whether its process still lives."""
    return WORKER_ID_SEPARATOR.join((_this_machine(), str(os.getpid()), secrets.token_hex(4)))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _dead_local_worker(worker_id: str) -> bool:
    parts = worker_id.split(WORKER_ID_SEPARATOR)
    if len(parts) != 3 or parts[0] != _this_machine() or not parts[1].isdigit():
        return False  # another machine's worker, or one not started by ``gridgov worker``
    return not _process_alive(int(parts[1]))


def orphaned_tasks_requeue() -> int:
    """Queue again the tasks left RUNNING by dead worker processes of this machine; returns how
    many were queued again (or failed, after MAX_ATTEMPTS)."""
    if not queue_shares_the_database():
        return 0  # RQ keeps its own registry of started jobs and fails those of dead workers
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    recovered = 0
    running = DBTaskResult.objects.filter(status="RUNNING").only(
        "pk", "worker_ids", "started_at", "task_path"
    )
    for result in running:
        if not result.worker_ids or not _dead_local_worker(result.worker_ids[-1]):
            continue
        # Conditional: a task that finished or was taken again meanwhile is left alone.
        same_claim = DBTaskResult.objects.filter(
            pk=result.pk, status="RUNNING", started_at=result.started_at
        )
        if len(result.worker_ids) >= MAX_ATTEMPTS:
            changed = same_claim.update(
                status="FAILED",
                finished_at=timezone.now(),
                exception_class_path="gridgov.core.tasks.WorkerDied",
                traceback=f"its worker process died {len(result.worker_ids)} times running it",
            )
            logger.error("task %s (%s) failed: its workers died", result.pk, result.task_path)
        else:
            changed = same_claim.update(status="READY", started_at=None)
            logger.warning(
                "task %s (%s) queued again: its worker %s died",
                result.pk,
                result.task_path,
                result.worker_ids[-1],
            )
        recovered += changed
    return recovered
