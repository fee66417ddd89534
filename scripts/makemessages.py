"""Refresh every translation catalogue: the project's and each app's own.

An app that keeps a ``locale/`` folder of its own (gridgov/<app>/locale/) owns the strings of its
code and templates; the project catalogue (gridgov/locale/) holds everything else. Separate
catalogues keep parallel work on different apps from colliding in one file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gridgov"
GRIDGOV = ROOT / ".venv" / "bin" / "gridgov"
LOCALES = ["--locale", "zh_Hans", "--locale", "en"]


def own_catalogue_apps() -> list[Path]:
    return sorted(p.parent for p in PACKAGE.glob("*/locale") if p.is_dir())


def run(cwd: Path, *extra: str) -> None:
    env = {**os.environ, "GRIDGOV_DATA_DIR": os.environ.get("GRIDGOV_DATA_DIR", tempfile.mkdtemp())}
    for domain in ("django", "djangojs"):
        command = [str(GRIDGOV), "makemessages", "--domain", domain, *LOCALES, "--no-obsolete"]
        command += ["--ignore", "static/vendor/*", *extra]
        subprocess.run(command, cwd=cwd, env=env, check=True)  # noqa: S603


def main() -> int:
    apps = own_catalogue_apps()
    run(PACKAGE, *[arg for app in apps for arg in ("--ignore", f"{app.name}/*")])
    for app in apps:
        run(app)
    print(f"catalogues refreshed: project + {', '.join(app.name for app in apps) or 'no app'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
