"""A scratch gridgov installation for fault tests: its own data folder and database, migrated
once per test process and copied per test, and real processes (``gridgov serve``, ``gridgov
worker``) started, killed with SIGKILL and restarted against it.

On SQLite the database is a file in the scratch folder. When DATABASE_URL points at PostgreSQL
(the suite's second run), each test gets its own database on that server, cloned from a migrated
template, and dropped afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll ``check`` until it returns something truthy (a loaded machine is slow, not broken)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def only_on_sqlite(value: str, reason: str) -> Any:
    """A parameter the PostgreSQL run need not repeat (it keeps that run short)."""
    return pytest.param(
        value, marks=pytest.mark.skipif(bool(postgres_url()), reason=f"on PostgreSQL {reason}")
    )


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_sql(sql: str) -> None:
    import psycopg

    url = postgres_url()
    assert url is not None
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)  # names are ours (hex), never input


def _drop_database(name: str) -> None:
    """``DROP DATABASE … WITH (FORCE)`` ends the stopped installation's own sessions, but may not
    end an autovacuum worker busy in the database at that moment (it runs as the server's role:
    "must be a member of the role whose process is being terminated"). That one finishes within
    moments, so the drop is tried again for a while."""
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            _admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            return
        except psycopg.errors.InsufficientPrivilege:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def base_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DATABASE_URL"))}
    env.pop("REDIS_URL", None)
    env.update(
        GRIDGOV_DATA_DIR=str(data_dir),
        GRIDGOV_PROFILE="development",
        DJANGO_SETTINGS_MODULE="gridgov.settings",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


# The people and areas of tests.factories.build_world, and an API token of grid worker A.
WORLD = """
import json
from gridgov.api.tokens import token_create
from tests.factories import build_world
world = build_world()
_token, key = token_create(user=world.worker_a, name="fault")
print(json.dumps({
    "token": key, "worker_a": world.worker_a.pk, "grid_a": world.grid_a.code,
    "admin": world.admin.username,
}))
"""


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Iterator[tuple[Path, str | None]]:
    """(data folder, PostgreSQL template database or None), migrated and given the test world
    once per test process (world.json in the folder)."""
    folder = tmp_path_factory.mktemp("faults-template")
    template = None
    url = postgres_url()
    if url:
        template = f"gridgov_fault_tpl_{uuid.uuid4().hex[:12]}"
        _admin_sql(f"CREATE DATABASE {template}")
    env = base_env(folder, _with_database(url, template) if url and template else None)
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "gridgov.cli", "migrate", "--no-input", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=240,
    )
    world = Installation(data_dir=folder, env=env).python(WORLD)
    (folder / "world.json").write_text(json.dumps(world))
    try:
        yield folder, template
    finally:
        if template:
            _drop_database(template)


@dataclass
class Installation:
    """One scratch gridgov: run commands, start and kill its processes."""

    data_dir: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def world(self) -> dict[str, Any]:
        return json.loads((self.data_dir / "world.json").read_text())

    def python(self, code: str, *args: str, timeout: float = 60) -> Any:
        """Run ``code`` (after django.setup()) in a fresh process; it prints one JSON value."""
        program = "import django\ndjango.setup()\n" + code
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", program, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self, argv: list[str], extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        """Start a process in its own session (so that it and its children can be killed)."""
        log = (self.data_dir / f"process-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            argv,
            env={**self.env, **(extra_env or {})},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def gridgov(self, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        return self.start([sys.executable, "-m", "gridgov.cli", *args], extra_env)

    @staticmethod
    def kill_group(process: subprocess.Popen) -> None:
        """SIGKILL the process and every child of it (a crash, the OOM killer, a power cut)."""
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=20)

    def logs(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")[-3000:]
            for path in sorted(self.data_dir.glob("process-*.log"))
        )

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill_group(process)


@pytest.fixture
def installation(migrated_template, tmp_path) -> Iterator[Installation]:
    template_dir, template_db = migrated_template
    data_dir = tmp_path / "data"
    shutil.copytree(template_dir, data_dir)
    database_url = None
    name = None
    if template_db:
        name = f"gridgov_fault_{uuid.uuid4().hex[:12]}"
        _admin_sql(f"CREATE DATABASE {name} TEMPLATE {template_db}")
        database_url = _with_database(postgres_url() or "", name)
    scratch = Installation(data_dir=data_dir, env=base_env(data_dir, database_url))
    try:
        yield scratch
    finally:
        scratch.stop_all()
        if name:
            _drop_database(name)
