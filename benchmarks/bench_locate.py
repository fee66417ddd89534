"""Locator benchmark: ``python benchmarks/bench_locate.py [--rows N] [--json]``.

The same as ``gridgov bench locate``; the benchmark itself is gridgov/benchmarks/locate.py.
"""

from __future__ import annotations

import sys

from gridgov.cli import main

if __name__ == "__main__":
    main(["bench", "locate", *sys.argv[1:]])
