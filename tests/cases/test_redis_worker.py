"""With REDIS_URL set, deadline checks go through Redis (RQ) and `gridgov worker` runs them.

A real redis-server (Debian's package; `make test` installs it) on a free loopback port, a fresh
SQLite database in a scratch folder, and three separate processes: one dispatches a case whose
claim deadline passed (the check is queued in Redis, scheduled for the deadline), a worker that
started later runs it, and a third reads the result. Nothing is shared but Redis and the database.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GRIDGOV = ROOT / ".venv" / "bin" / "gridgov"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"

pytestmark = pytest.mark.skipif(
    not Path(REDIS).exists(), reason="redis-server is not installed (scripts/system-packages test)"
)

DISPATCH = """
import datetime, django
django.setup()
from django.utils import timezone
from gridgov.cases.models import Category
from gridgov.cases.services import case_report
from gridgov.cases.workflow import transition
from tests.factories import build_world

world = build_world()
lift = Category.objects.get(name="电梯故障")
when = timezone.now() - datetime.timedelta(hours=3)
case = case_report(
    actor=world.resident, channel="resident", category=lift, title="电梯停在三楼不动",
    area=world.grid_a, at=when,
).case
case = transition(case=case, action="accept", actor=world.secretary, at=when)
case = transition(case=case, action="dispatch", actor=world.secretary, at=when)
from gridgov.cases.followups import settle_all
settle_all()  # what a worker's relay does after the commit: it queues the deadline check
print(case.pk, case.assignee_area.code)
"""

READ = """
import sys, django
django.setup()
from gridgov.cases.models import Case
case = Case.objects.get(pk=int(sys.argv[1]))
escalation = case.events.filter(action="escalate").first()
print(case.assignee_area.code, case.escalation_level, escalation.actor_id if escalation else "none")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(env, *args, timeout=120):
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def test_a_deadline_check_queued_in_redis_is_run_by_a_later_worker(redis_url, tmp_path):
    import redis

    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "GRIDGOV_DATA_DIR": str(tmp_path / "data"),
        "GRIDGOV_PROFILE": "development",
        "DJANGO_SETTINGS_MODULE": "gridgov.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    run(env, str(GRIDGOV), "migrate", "--no-input", "-v", "0")
    case_id, queue_code = run(env, sys.executable, "-c", DISPATCH).split()

    # The check waits in Redis, scheduled for the claim deadline; the database holds no task.
    client = redis.Redis.from_url(redis_url)
    scheduled = client.keys("rq:scheduled:*")
    assert scheduled and sum(client.zcard(key) for key in scheduled) >= 1

    run(env, str(GRIDGOV), "worker", "--batch")
    area_code, level, actor = run(env, sys.executable, "-c", READ, case_id).split()
    assert area_code != queue_code and queue_code.startswith(area_code)  # up one level
    assert level == "1" and actor == "None"  # escalated by rule, by the system
