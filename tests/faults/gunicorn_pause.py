"""A gunicorn configuration for the fault tests (``GUNICORN_CMD_ARGS="-c python:..."``): each
worker, once the application is loaded, wraps the last write of a case report so that the one
request that finds the "armed" file pauses there, inside its transaction, where a SIGKILL lands.

The case row and its timeline entry are written by then; the audit record and the commit are not.
Nothing in gridgov itself knows about this.
"""

from __future__ import annotations

import os
import time


def post_worker_init(worker) -> None:
    from gridgov.cases import services

    armed = os.environ["GRIDGOV_FAULT_ARMED"]
    audit_created = services._audit_created

    def pause_once(case) -> None:
        try:
            os.unlink(armed)  # atomic: exactly one request takes it
        except FileNotFoundError:
            return audit_created(case)
        with open(armed + ".inside", "w") as marker:
            marker.write(f"{os.getpid()} {case.client_key}")
        time.sleep(300)  # until killed
        return audit_created(case)

    services._audit_created = pause_once
