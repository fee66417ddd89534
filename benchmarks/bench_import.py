"""Import benchmark: ``python benchmarks/bench_import.py [--rows N] [--json]``.

The same as ``gridgov bench import``; the benchmark itself is gridgov/benchmarks/bench_import.py.
"""

from __future__ import annotations

import sys

from gridgov.cli import main

if __name__ == "__main__":
    main(["bench", "import", *sys.argv[1:]])
