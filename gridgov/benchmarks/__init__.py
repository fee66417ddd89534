"""Benchmarks run by ``gridgov bench NAME [--json] [--rows N]``.

Each benchmark is one module here with a ``run(...)`` function returning a dict with at least
``name``, ``value``, ``unit``, ``limit_name``, ``limit_value`` and ``ratio`` (our speed as a share
of the limit's, measured in the same run on the same data; see DESIGN.md "Performance"). The
command adds ``machine``. To add one: write the module, add one line to ``BENCHMARKS``.
"""

from __future__ import annotations

import contextlib
import os
import platform
import time
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

from django.db import OperationalError

# name → (module, keyword argument that --rows sets, or None)
BENCHMARKS: dict[str, tuple[str, str | None]] = {
    "import": ("gridgov.benchmarks.bench_import", "rows"),
    "locate": ("gridgov.benchmarks.locate", "points"),
    "cases": ("gridgov.benchmarks.bench_cases", "cases"),
    "kpis": ("gridgov.benchmarks.case_kpis", "cases"),
    "sos": ("gridgov.benchmarks.bench_sos", "presses"),
    "cockpit": ("gridgov.benchmarks.cockpit", "cases"),
    # The load test over HTTP; its long version is benchmarks/load_intake.py --duration.
    "intake": ("gridgov.benchmarks.bench_intake", None),
}


def get_benchmark(name: str) -> Callable[..., dict[str, Any]]:
    """``run(rows=N, progress=callable)`` of the named benchmark (imported only when used)."""
    module_name, size_argument = BENCHMARKS[name]
    run = import_module(module_name).run

    def call(*, rows: int | None = None, progress: Callable[[str], None] = print) -> dict[str, Any]:
        arguments: dict[str, Any] = {"progress": progress}
        if rows is not None and size_argument:
            arguments[size_argument] = rows
        return run(**arguments)

    return call


def machine() -> dict[str, Any]:
    """What the figures were measured on: ratios compare across machines, absolute times do not."""
    from django.db import connection

    memory_gb = None
    try:
        memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
        else:
            cursor.execute("select version()")
        version = str(cursor.fetchone()[0]).split(" on ")[0]
    return {
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "engine": f"{connection.vendor} {version}",
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


@contextlib.contextmanager
def scratch_database() -> Iterator[Path]:
    """A fresh test database of the configured engine for one benchmark: the real one is never
    touched. Yields a scratch folder for the benchmark's files."""
    import tempfile

    from django.conf import settings
    from django.db import connection

    folder = Path(tempfile.mkdtemp(prefix="gridgov-bench-"))
    test_settings = settings.DATABASES["default"].setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(folder / "bench.sqlite3")
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    # Measure what production runs: without DEBUG's per-query bookkeeping.
    debug, settings.DEBUG = settings.DEBUG, False
    try:
        yield folder
    finally:
        settings.DEBUG = debug
        _drop(connection, old_name)


def _drop(connection, old_name: str) -> None:
    """The scratch database dropped. PostgreSQL ends the sessions of a benchmark's server a moment
    after its processes have exited, and refuses the drop while they last: it is tried again for
    up to ten seconds."""
    deadline = time.monotonic() + 10
    while True:
        try:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
            return
        except OperationalError as error:
            if "being accessed by other users" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.25)
