"""kill -9 of the background worker (``gridgov worker``, the database worker) in the middle of a
case step's follow-up, a deadline job and an import (issue 7, fault tests).

A worker process, given a small hook, holds its job inside the job's transaction and is killed
there with SIGKILL. A new ``gridgov worker`` then finds the task the dead worker left "running",
queues it again and runs it:
- the deadline still fires, exactly once: the case is marked overdue once and every person to
  tell has exactly one notification; running the worker and the sweep again changes nothing;
- the import is all-or-nothing (nothing of the killed run is left; in the batch mode, whole
  batches only), the re-run completes, and no resident is there twice.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import xlsxwriter

from gridgov.core.identifiers import id_number_check_character
from tests.faults.conftest import Installation, only_on_sqlite, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.faults]

# The worker with a hook: the job that finds the "armed" file pauses, inside its transaction,
# at the point named by argv[1], and says so in "armed.inside".
HELD_WORKER = """
import os, sys, time, django
django.setup()
armed = os.environ["GRIDGOV_FAULT_ARMED"]

def hold():
    try:
        os.unlink(armed)
    except FileNotFoundError:
        return
    with open(armed + ".inside", "w") as marker:
        marker.write(str(os.getpid()))
    time.sleep(300)

if sys.argv[1] == "follow_up":
    from gridgov.cases import followups
    tell_and_schedule = followups._tell_and_schedule

    def counted_then_held(event, payload):
        # the batch's rollup counts, audit entries and this step's notifications are written ...
        tell_and_schedule(event, payload)
        hold()  # ... and the outbox entries not yet cleared nor committed
    followups._tell_and_schedule = counted_then_held
elif sys.argv[1] == "deadline":
    from gridgov.cases import jobs
    tell = jobs._tell

    def told_then_held(case, kind, users):
        tell(case, kind, users)  # the overdue mark and the notifications are written ...
        hold()                   # ... and not committed
    jobs._tell = told_then_held
else:
    from gridgov.registry.importing.kinds import KINDS
    kind = KINDS["residents"]
    apply = kind.apply
    written = [0]

    def applied_then_held(batch, context):
        apply(batch, context)
        if context.write:
            written[0] += 1
            if written[0] == 2:  # two batches of a thousand written, the third not yet
                hold()
    kind.apply = applied_then_held

from django.core.management import call_command
call_command("worker", batch=True)
"""

OVERDUE_CASE = """
import datetime, json
from django.utils import timezone
from gridgov.cases.models import Category
from gridgov.cases.services import case_report
from gridgov.areas.models import Area
from gridgov.cases.workflow import transition
from gridgov.core.models import User

actor = {u.username: u for u in User.objects.all()}
when = timezone.now() - datetime.timedelta(hours=30)
lift = Category.objects.get(code="0401")  # 电梯故障: resolve within 24 hours, around the clock
case = case_report(
    actor=actor["resident"], channel="resident", category=lift, title="电梯停在三楼不动",
    area=Area.objects.get(code="110105001001001"), at=when,
).case
for action in ("accept", "dispatch"):
    case = transition(case=case, action=action, actor=actor["secretary"], at=when)
case = transition(case=case, action="claim", actor=actor["secretary"], at=when)
from gridgov.cases.followups import settle_all
settle_all()  # what a worker's relay does after the steps commit: queues the deadline check
"""

DEADLINE_STATE = """
import json, sys
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from gridgov.cases.models import Case
from gridgov.notifications.models import Notification
if sys.argv[1:] == ["again"]:
    call_command("worker", batch=True)
    call_command("sweep")
case = Case.objects.get()
told = {}
for recipient in Notification.objects.filter(kind="overdue", related_id=str(case.pk)).values_list(
    "recipient_id", flat=True
):
    told[recipient] = told.get(recipient, 0) + 1
tasks = {}
for status in DBTaskResult.objects.values_list("status", flat=True):
    tasks[status] = tasks.get(status, 0) + 1
print(json.dumps({
    "overdue_marked": case.overdue_notified_at is not None,
    "told": sorted(told.values()),
    "tasks": tasks,
    "events": list(case.events.values_list("action", flat=True).order_by("pk")),
}))
"""


def held_worker(scratch: Installation, point: str):
    armed = scratch.data_dir / "armed"
    armed.touch()
    worker = scratch.start(
        [sys.executable, "-c", HELD_WORKER, point],
        extra_env={"GRIDGOV_FAULT_ARMED": str(armed)},
    )
    inside = scratch.data_dir / "armed.inside"

    def holding() -> bool:
        assert worker.poll() is None, scratch.logs()
        return inside.exists()

    wait_for(holding, 90, "the worker to hold its job")
    return worker


def run_worker(scratch: Installation) -> str:
    worker = scratch.gridgov("worker", "--batch")
    assert worker.wait(timeout=180) == 0, scratch.logs()
    return scratch.logs()


def test_a_deadline_still_fires_exactly_once_after_its_worker_is_killed(installation):
    scratch = installation
    before = scratch.python(OVERDUE_CASE + DEADLINE_STATE)
    assert not before["overdue_marked"] and before["tasks"] == {"READY": 1}

    scratch.kill_group(held_worker(scratch, "deadline"))
    killed = scratch.python(DEADLINE_STATE)
    assert not killed["overdue_marked"] and killed["told"] == []  # nothing half-done
    assert killed["tasks"] == {"RUNNING": 1}  # the dead worker's task, stranded

    logs = run_worker(scratch)
    assert "1 tasks of dead workers queued again" in logs
    fired = scratch.python(DEADLINE_STATE)
    assert fired["overdue_marked"]
    assert fired["told"] and set(fired["told"]) == {1}  # everyone told, once
    assert "RUNNING" not in fired["tasks"] and "FAILED" not in fired["tasks"]

    # Another worker run and the daily sweep find nothing left to do.
    again = scratch.python(DEADLINE_STATE, "again")
    assert (again["told"], again["events"]) == (fired["told"], fired["events"])


STEPS = """
from gridgov.cases.models import Category
from gridgov.cases.services import case_report
from gridgov.areas.models import Area
from gridgov.cases.workflow import transition
from gridgov.core.models import User

actor = {u.username: u for u in User.objects.all()}
case = case_report(
    actor=actor["resident"], channel="resident", category=Category.objects.get(code="0101"),
    title="楼道堆放杂物", area=Area.objects.get(code="110105001001001"),
).case
for action in ("accept", "dispatch"):
    case = transition(case=case, action=action, actor=actor["secretary"])
print(case.pk)
"""

FOLLOW_UP_STATE = """
import json
from django.db.models import Sum
from gridgov.cases.models import CaseEvent
from gridgov.cockpit.models import AreaDay
from gridgov.notifications.models import Notification
totals = AreaDay.objects.aggregate(reported=Sum("reported"), dispatched=Sum("dispatched"))
print(json.dumps({
    "waiting": CaseEvent.objects.filter(follow_up__isnull=False).count(),
    "reported": totals["reported"] or 0,
    "dispatched": totals["dispatched"] or 0,
    "assigned": Notification.objects.filter(kind="new_assignment").count(),
}))
"""


def test_a_follow_up_is_carried_out_exactly_once_after_its_worker_is_killed(installation):
    scratch = installation
    scratch.python(STEPS)
    waiting = scratch.python(FOLLOW_UP_STATE)
    assert waiting == {"waiting": 3, "reported": 0, "dispatched": 0, "assigned": 0}

    scratch.kill_group(held_worker(scratch, "follow_up"))
    killed = scratch.python(FOLLOW_UP_STATE)
    assert killed == waiting  # the counts written in the killed transaction are gone with it

    run_worker(scratch)
    done = scratch.python(FOLLOW_UP_STATE)
    assert (done["waiting"], done["reported"], done["dispatched"]) == (0, 1, 1)
    assert done["assigned"] >= 1
    run_worker(scratch)
    assert scratch.python(FOLLOW_UP_STATE) == done  # nothing counted or told twice


ROWS = 2500
HEADERS = ["姓名", "证件类型", "证件号码", "联系电话", "人口类型", "现住址", "所属区域编码"]


def id_number(n: int) -> str:
    """A valid fictional ID number per n: born on day n // 900 after 1950-01-01."""
    import datetime

    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 900)
    body = f"110105{born:%Y%m%d}{n % 900 + 100:03d}"
    return body + id_number_check_character(body)


def residents_sheet(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("居民")
    sheet.write_row(0, 0, HEADERS)
    for n in range(ROWS):
        row = [f"居民{n:04d}", "", id_number(n), "", "户籍", "东湖小区", "110105001001001"]
        sheet.write_row(n + 1, 0, row)
    book.close()
    return path


QUEUE_IMPORT = """
import json, sys
from pathlib import Path
from django.core.files.uploadedfile import SimpleUploadedFile
from gridgov.core.models import User
from gridgov.registry.importing.jobs import import_job_create
path = Path(sys.argv[1])
upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/vnd.ms-excel")
job = import_job_create(
    actor=User.objects.get(username="admin"), kind="residents", mode=sys.argv[2], upload=upload
)
print(json.dumps(job.pk))
"""

IMPORT_STATE = """
import json, sys
from django.db.models import Count
from gridgov.registry.models import Resident
from gridgov.registry.models_imports import ImportJob
job = ImportJob.objects.get(pk=int(sys.argv[1]))
twice = Resident.objects.values("id_number_index").annotate(n=Count("pk")).filter(n__gt=1).count()
print(json.dumps({
    "residents": Resident.objects.count(),
    "twice": twice,
    "status": job.status,
    "counts": [job.processed, job.accepted, job.created, job.unchanged, job.rejected],
}))
"""


@pytest.mark.parametrize(
    "mode",
    [
        "all_or_nothing",
        only_on_sqlite("apply_valid", "the all-or-nothing import covers the rolled-back batch"),
    ],
)
def test_an_import_killed_mid_write_leaves_no_partial_rows_and_completes_when_run_again(
    installation, tmp_path, mode
):
    scratch = installation
    sheet = residents_sheet(tmp_path / "居民.xlsx")
    job_id = scratch.python(QUEUE_IMPORT, str(sheet), mode)

    scratch.kill_group(held_worker(scratch, "import"))
    killed = scratch.python(IMPORT_STATE, str(job_id))
    assert killed["status"] == "running"  # left so by the dead worker
    if mode == "all_or_nothing":
        assert killed["residents"] == 0  # the two written batches were never committed
    else:
        # Batches of a thousand commit one by one: the first is in, the second was held inside
        # its own transaction and is gone.
        assert killed["residents"] == 1000

    logs = run_worker(scratch)
    assert "1 tasks of dead workers queued again" in logs
    done = scratch.python(IMPORT_STATE, str(job_id))
    assert done["status"] == "done"
    assert done["residents"] == ROWS and done["twice"] == 0
    created = ROWS - killed["residents"]
    assert done["counts"] == [ROWS, ROWS, created, ROWS - created, 0]
