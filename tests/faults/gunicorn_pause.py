"""A gunicorn configuration for the fault tests (``GUNICORN_CMD_ARGS="-c python:..."``): each
worker, once the application is loaded, wraps the last step of a case report inside its
transaction (``followups.followed``) so that the one request that finds the "armed" file pauses
there, where a SIGKILL lands.

The case row, its timeline entry with the follow-up (and the audit entry's content) and the
follower are written by then. On SQLite the commit is not; on PostgreSQL, where they are one
statement in autocommit (``services._write_numbered``), it is, and the answer is not sent.
Nothing in gridgov itself knows about this.
"""

from __future__ import annotations

import os
import time


def post_worker_init(worker) -> None:
    from gridgov.cases import followups

    armed = os.environ["GRIDGOV_FAULT_ARMED"]
    followed = followups.followed

    def pause_once(event, payload) -> None:
        if event.action != "report":
            return followed(event, payload)
        try:
            os.unlink(armed)  # atomic: exactly one request takes it
        except FileNotFoundError:
            return followed(event, payload)
        with open(armed + ".inside", "w") as marker:
            marker.write(f"{os.getpid()} {event.case.client_key}")
        time.sleep(300)  # until killed
        return followed(event, payload)

    followups.followed = pause_once
