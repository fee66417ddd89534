"""``scripts/production-local``: PostgreSQL, Redis, several web processes and two workers, for real.

Runs the script as an operator would, in a fresh data directory with its own ports, database and
role, then stops everything and drops the database. Needs root and Debian's PostgreSQL and Redis
packages (``scripts/system-packages postgres redis``); skipped elsewhere.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "production-local"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (
            hasattr(os, "geteuid")
            and os.geteuid() == 0
            and shutil.which("pg_lsclusters")
            and shutil.which("redis-server")
        ),
        reason="needs root with Debian's postgresql and redis-server installed",
    ),
    # It brings its own database: once, in the SQLite pass of the suite, not again on PostgreSQL.
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")), reason="runs in the SQLite pass of the suite"
    ),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(env: dict[str, str], *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        ["bash", str(SCRIPT), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        return response.status, response.read()


def pids(data: Path) -> dict[str, int]:
    return {path.stem: int(path.read_text()) for path in sorted((data / "run").glob("*.pid"))}


def test_production_mode_serves_runs_jobs_and_stops(tmp_path):
    data = tmp_path / "data"
    port = free_port()
    database = f"gridgov_ptest_{uuid.uuid4().hex[:8]}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GRIDGOV_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    env.update(
        {
            "GRIDGOV_DATA_DIR": str(data),
            "GRIDGOV_PORT": str(port),
            "GRIDGOV_REDIS_PORT": str(free_port()),
            "GRIDGOV_WORKERS": "2",
            "GRIDGOV_PG_USER": "gridgov_ptest",
            "GRIDGOV_PG_DATABASE": database,
        }
    )
    try:
        started = run(env, "start")
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"serving on http://127.0.0.1:{port}/" in started.stdout

        # The secrets the production profile demands, generated once, readable by no one else.
        env_file = data / "production.env"
        assert env_file.stat().st_mode & 0o777 == 0o600
        settings = dict(
            line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line
        )
        assert settings["GRIDGOV_PROFILE"] == "production"
        for key in ("GRIDGOV_SECRET_KEY", "GRIDGOV_FIELD_KEYS", "GRIDGOV_BLIND_INDEX_KEY"):
            assert len(settings[key]) >= 40
        # PostgreSQL on the same machine: through its Unix socket, with the role's password.
        assert settings["DATABASE_URL"].startswith("postgres://")
        assert "@%2Fvar%2Frun%2Fpostgresql:" in settings["DATABASE_URL"]

        status, body = get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200 and b"csrfmiddlewaretoken" in body
        # Static files come hashed (the production manifest) from the web processes themselves.
        hashed = re.search(rb'/static/([^"]+\.[0-9a-f]{12}\.css)', body)
        assert hashed, body[:2000]
        assert get(f"http://127.0.0.1:{port}/static/{hashed.group(1).decode()}")[0] == 200

        running = pids(data)
        assert set(running) == {"redis", "web", "worker-1", "worker-2"}

        # A job goes through Redis to one of the two workers.
        enqueued = run(
            env,
            "manage",
            "shell",
            "-c",
            "from gridgov.notifications.tasks import deliveries_requeue;"
            "print(deliveries_requeue.enqueue().id)",
        )
        assert enqueued.returncode == 0, enqueued.stderr
        job = enqueued.stdout.strip().splitlines()[-1]
        deadline = time.monotonic() + 20
        done = ""
        while time.monotonic() < deadline and f"Job OK ({job})" not in done:
            time.sleep(0.3)
            done = "".join(path.read_text() for path in (data / "log").glob("worker-*.log"))
        assert done.count(f"Job OK ({job})") == 1

        # Starting again changes nothing: the same processes keep running.
        again = run(env, "start")
        assert again.returncode == 0, again.stderr
        assert pids(data) == running
    finally:
        stopped = run(env, "stop", timeout=60)
        for pid in pids(data).values() if (data / "run").exists() else ():
            try:  # only if stop failed: never leave our own processes behind
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run(  # noqa: S603, S607
            ["su", "postgres", "-c", f"dropdb --if-exists {database}"],
            capture_output=True,
            check=False,
            timeout=60,
        )
    assert stopped.returncode == 0, stopped.stderr
    assert not list((data / "run").glob("*.pid"))
    for pid in running.values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
