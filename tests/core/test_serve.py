"""``gridgov serve`` runs a production server (gunicorn), not runserver, and serves the console."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_with_gunicorn(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DATABASE_URL"))}
    env["GRIDGOV_DATA_DIR"] = str(tmp_path)
    gridgov = [sys.executable, "-m", "gridgov.cli"]
    subprocess.run([*gridgov, "migrate", "-v0"], env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [*gridgov, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as page:  # noqa: S310
                    body = page.read().decode()
                    server_header = page.headers.get("Server", "")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert 'lang="zh-hans"' in body
        assert "gunicorn" in server_header.lower()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def test_serve_starts_one_worker_per_core_unless_told(monkeypatch):
    from gridgov.core.management.commands.serve import default_workers

    monkeypatch.delenv("GRIDGOV_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5})
    assert default_workers() == 6
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert default_workers() == 2  # one slow request never holds every worker
    monkeypatch.setenv("GRIDGOV_WORKERS", "5")
    assert default_workers() == 5
