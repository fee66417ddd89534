"""Settings from the environment: production profile clean, secrets generated safely in development."""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gridgov.secrets import load_dev_secrets

GRIDGOV = [sys.executable, "-m", "gridgov.cli"]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GRIDGOV_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        GRIDGOV_PROFILE="production",
        GRIDGOV_DATA_DIR=str(tmp_path),
        GRIDGOV_SECRET_KEY=secrets.token_urlsafe(50),
        GRIDGOV_FIELD_KEYS="1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        GRIDGOV_BLIND_INDEX_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        GRIDGOV_ALLOWED_HOSTS="gridgov.example.org",
        DATABASE_URL="postgres://gridgov:secret@127.0.0.1:5432/gridgov",
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GRIDGOV, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_reports_nothing_in_the_production_profile(tmp_path):
    result = run(["check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_check_deploy_warns_outside_the_production_profile(tmp_path):
    env = production_env(tmp_path, GRIDGOV_PROFILE="development")
    result = run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "gridgov.W001" in result.stderr


@pytest.mark.parametrize(
    "missing", ["GRIDGOV_SECRET_KEY", "GRIDGOV_FIELD_KEYS", "GRIDGOV_BLIND_INDEX_KEY"]
)
def test_production_refuses_to_start_without_a_secret(tmp_path, missing):
    env = production_env(tmp_path)
    del env[missing]
    result = run(["check"], env)
    assert result.returncode != 0
    assert missing in result.stderr
    assert not (tmp_path / "secrets.json").exists()  # never generated in production


def test_development_secrets_are_generated_once_with_mode_0600(tmp_path):
    first = load_dev_secrets(tmp_path)
    second = load_dev_secrets(tmp_path)
    assert first == second
    mode = stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode)
    assert mode == 0o600
    assert len(base64.b64decode(first["blind_index_key"])) == 32


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_demo_command_builds_a_wal_sqlite_database_under_the_data_dir(tmp_path):
    import sqlite3

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GRIDGOV_", "DATABASE_URL", "REDIS_URL"))
    }
    env["GRIDGOV_DATA_DIR"] = str(tmp_path)
    result = run(["demo", "--no-serve", "--scale", "0.02"], env)
    assert result.returncode == 0, result.stderr
    assert "http://127.0.0.1:8000/" in result.stdout
    assert "wangge001" in result.stdout
    database = tmp_path / "gridgov.sqlite3"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def database_options(tmp_path: Path, **extra: str) -> dict:
    env = production_env(tmp_path, GRIDGOV_PROFILE="development", **extra)
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    )
    env["DJANGO_SETTINGS_MODULE"] = "gridgov.settings"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def test_postgresql_binds_on_the_server_and_prepares_unless_turned_off(tmp_path):
    options = database_options(tmp_path)
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5
    # Behind a pooler in transaction mode prepared statements break: one variable turns them off.
    options = database_options(tmp_path, GRIDGOV_DB_PREPARED="0")
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options
