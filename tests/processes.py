"""The environment for a gridgov process a test starts (a command, a script, a server)."""

from __future__ import annotations

import os
from pathlib import Path


def fresh_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment without its gridgov, database, Redis and Django settings (the
    suite's own would leak in), on the development profile with its own data directory."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GRIDGOV_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    environment.update(GRIDGOV_DATA_DIR=str(data_dir), GRIDGOV_PROFILE="development", **extra)
    return environment
