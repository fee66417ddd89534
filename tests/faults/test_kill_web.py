"""kill -9 of the web server during case creation (issue 7, fault tests).

A real ``gridgov serve`` (gunicorn, two sync workers) on a scratch database takes case reports
through the REST API, each with its own Idempotency-Key. One report is held: on SQLite inside its
transaction (the case row and timeline entry written, the commit not yet), on PostgreSQL, where
the report is one statement, after its commit and before its answer. Then the worker holding it,
or the whole server, is killed with SIGKILL while other reports are in flight. After the restart:
- no partial case: every case has its "report" timeline entry and its audit record, and there
  are no timeline entries or audit records of cases that do not exist;
- every report the client saw answered 2xx has exactly one case;
- sending every unanswered report again with the same key makes exactly one case each.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

from tests.faults.conftest import (
    Installation,
    free_port,
    only_on_sqlite,
    postgres_url,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.faults]

CHECK = """
import json
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.followups import settle_all
settle_all()  # what a worker's relay does: a report's audit entry is part of its follow-up
case_type = ContentType.objects.get_for_model(Case)
cases = set(Case.objects.values_list("pk", flat=True))
reported = set(CaseEvent.objects.filter(action="report").values_list("case_id", flat=True))
audited = {
    int(pk) for pk in LogEntry.objects.filter(content_type=case_type, action=0)
    .values_list("object_pk", flat=True)
}
keys, ids = {}, {}
for pk, key in Case.objects.values_list("pk", "client_key"):
    keys[key] = keys.get(key, 0) + 1
    ids[key] = pk
print(json.dumps({
    "cases": len(cases),
    "without_report_entry": sorted(cases - reported),
    "without_audit": sorted(cases - audited),
    "orphan_entries": sorted(set(CaseEvent.objects.values_list("case_id", flat=True)) - cases),
    "orphan_audit": sorted(audited - cases),
    "keys": keys,
    "ids": ids,
}))
"""


@dataclass
class Outcome:
    key: str
    status: int | None = None  # None: the connection failed (no answer)
    case_id: int | None = None


class Reporter:
    def __init__(self, port: int, token: str, area: str) -> None:
        self.url = f"http://127.0.0.1:{port}/api/v1/cases"
        self.token = token
        self.area = area

    def report(self, key: str, timeout: float = 60) -> Outcome:
        body = json.dumps({"category": "0101", "title": f"楼道堆放杂物 {key}", "area": self.area})
        request = urllib.request.Request(  # noqa: S310 (loopback)
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                return Outcome(key, answer.status, json.loads(answer.read())["id"])
        except urllib.error.HTTPError as error:
            return Outcome(key, error.code)
        except OSError:  # reset, refused, or the server vanished mid-answer
            return Outcome(key)


def serve(scratch: Installation, port: int, armed: str):
    server = scratch.gridgov(
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
        extra_env={
            "GUNICORN_CMD_ARGS": "-c python:tests.faults.gunicorn_pause",
            "GRIDGOV_FAULT_ARMED": armed,
        },
    )

    def ready() -> bool:
        assert server.poll() is None, scratch.logs()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json"):  # noqa: S310
                return True
        except OSError:
            return False

    wait_for(ready, 90, "the server to answer")
    return server


def worker_pids(master_pid: int) -> set[int]:
    children = f"/proc/{master_pid}/task/{master_pid}/children"
    with open(children) as listing:
        return {int(pid) for pid in listing.read().split()}


@pytest.mark.parametrize(
    "kill",
    [only_on_sqlite("worker", "killing the whole server covers the dropped connection"), "server"],
)
def test_no_case_is_half_made_or_lost_when_the_web_process_is_killed(installation, kill):
    scratch = installation
    setup = scratch.world
    armed = scratch.data_dir / "armed"
    inside = scratch.data_dir / "armed.inside"
    port = free_port()
    server = serve(scratch, port, str(armed))
    reporter = Reporter(port, setup["token"], setup["grid_a"])
    attempts: dict[str, list[Outcome]] = {}  # key → every try, in order
    killed_at = [float("inf")]
    answered_after_kill = [0]
    stop = threading.Event()  # no new reports
    give_up = threading.Event()  # no more retries either

    def keep_reporting(name: str) -> None:
        """A well-behaved client: a report that got no answer is sent again with the same key
        (after a short pause) until it is answered; then the next report."""
        number = 0
        while not stop.is_set():
            key = f"{name}-{number}"
            tries = attempts.setdefault(key, [])
            while True:
                outcome = reporter.report(key)
                tries.append(outcome)
                if outcome.status is not None or give_up.is_set():
                    break
                time.sleep(0.2)
            if time.monotonic() > killed_at[0]:
                answered_after_kill[0] += 1
            number += 1

    for number in range(3):  # reports before the fault, answered normally
        first = reporter.report(f"before-{number}")
        assert first.status == 201, scratch.logs()
        attempts[first.key] = [first]
    armed.touch()
    clients = [
        threading.Thread(target=keep_reporting, args=(f"c{n}",), daemon=True) for n in range(3)
    ]
    for client in clients:
        client.start()
    try:
        held_pid, held_key = wait_for(
            lambda: inside.exists() and inside.read_text().split(),
            60,
            "a report held in its transaction",
        )
        held_key = held_key.split(":", 1)[1]  # stored as u<user>:<key>
        assert int(held_pid) in worker_pids(server.pid)

        killed_at[0] = time.monotonic()
        if kill == "worker":
            os.kill(int(held_pid), signal.SIGKILL)  # gunicorn's master starts a new worker
        else:
            scratch.kill_group(server)  # master and workers at once
            server = serve(scratch, port, str(armed))
        # Reports keep coming in after the fault; the server must take them again.
        wait_for(lambda: answered_after_kill[0] >= 6, 90, "reports answered after the kill")
    except BaseException:
        give_up.set()  # the clients stop retrying: the test has failed already
        raise
    finally:
        stop.set()
    for client in clients:
        client.join(timeout=60)
        assert not client.is_alive()

    found = scratch.python(CHECK)
    # Nothing partial.
    assert found["without_report_entry"] == [] and found["without_audit"] == []
    assert found["orphan_entries"] == [] and found["orphan_audit"] == []
    # Every report is answered 2xx in the end, and has exactly one case, the one answered.
    user = setup["worker_a"]
    assert found["keys"] == {f"u{user}:{key}": 1 for key in attempts}
    for key, tries in attempts.items():
        assert tries[-1].status in (200, 201), (key, tries)
        assert all(t.status is None for t in tries[:-1]), (key, tries)  # no error but silence
        assert found["ids"][f"u{user}:{key}"] == tries[-1].case_id
    # The held report was never answered. On SQLite it was held inside its transaction, which
    # the kill undid: the retry made it (201). On PostgreSQL a report is one statement, committed
    # before the hold: the kill fell between the commit and the answer, and the retry got that
    # case back (200), not a second one.
    held = attempts[held_key]
    assert held[0].status is None and held[-1].status == (200 if postgres_url() else 201)
    again = reporter.report(held_key)
    assert (again.status, again.case_id) == (200, held[-1].case_id)
    retried = sum(1 for tries in attempts.values() if len(tries) > 1)
    print(f"{kill} killed: {len(attempts)} reports, {retried} sent again", file=sys.stderr)


@pytest.mark.pg
@pytest.mark.skipif(not postgres_url(), reason="runs on PostgreSQL only")  # before the fixtures
def test_connections_the_database_server_ended_are_replaced_without_an_error(installation):
    """PostgreSQL restarted, or an administrator ran pg_terminate_backend: every persistent
    connection of the running server is dead. The next requests open new ones and succeed; no
    one sees a 503 for a database that is up."""
    import psycopg

    scratch = installation
    setup = scratch.world
    port = free_port()
    serve(scratch, port, str(scratch.data_dir / "never-armed"))
    reporter = Reporter(port, setup["token"], setup["grid_a"])
    for number in range(4):  # both workers hold a connection
        assert reporter.report(f"before-{number}").status == 201

    url = scratch.env["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as admin:
        # The server's own connections only: an autovacuum worker busy in this database at that
        # moment runs as a superuser, which this role may not end (the test failed so once).
        # With a timeout, pg_terminate_backend waits until each backend has gone; without, it
        # only signals it, and a request in the next millisecond found a connection still
        # being ended: a 503 for a database that is up (the test failed so once).
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend' AND usename = current_user"
        ).fetchone()[0]
    assert ended >= 1
    answers = [reporter.report(f"after-{number}").status for number in range(4)]
    assert answers == [201] * 4, scratch.logs()
