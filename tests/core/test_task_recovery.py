"""Tasks left "running" by a dead worker go back in the queue; others are left alone."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django_tasks_db.models import DBTaskResult

from gridgov.cases.jobs import check_case_deadlines
from gridgov.core.tasks import MAX_ATTEMPTS, _this_machine, orphaned_tasks_requeue

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_pid() -> int:
    """The id of a process that has ended (and was reaped)."""
    program = "import os; print(os.getpid())"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", program], check=True, capture_output=True, text=True
    )
    return int(done.stdout)


def running(*worker_ids: str) -> DBTaskResult:
    result = check_case_deadlines.enqueue(1)
    row = DBTaskResult.objects.get(pk=result.id)
    for worker_id in worker_ids:
        row.claim(worker_id)
    return row


def status(row: DBTaskResult) -> str:
    return DBTaskResult.objects.values_list("status", flat=True).get(pk=row.pk)


def test_only_the_tasks_of_dead_workers_of_this_machine_are_queued_again(dead_pid):
    here = _this_machine()
    dead = running(f"{here}/{dead_pid}/aaaa")
    alive = running(f"{here}/{os.getpid()}/bbbb")
    elsewhere = running(f"another-host/{dead_pid}/cccc")
    foreign = running("a-worker-id-of-another-kind")
    poison = running(*[f"{here}/{dead_pid}/{n:04d}" for n in range(MAX_ATTEMPTS)])

    assert orphaned_tasks_requeue() == 2
    assert status(dead) == "READY"
    assert [status(alive), status(elsewhere), status(foreign)] == ["RUNNING"] * 3
    assert status(poison) == "FAILED"  # it took its worker down every time
    assert orphaned_tasks_requeue() == 0  # idempotent
