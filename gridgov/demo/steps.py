"""Imports the demo steps of every domain app, in the order they must run.

Each later domain (registry, cases, …) adds its module here; its steps use ``@demo_step``.
"""

from gridgov.demo import people  # noqa: E402,F401  (micro-grids, buildings, houses, residents)
