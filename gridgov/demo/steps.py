"""Imports the demo steps of every domain app, whose steps run in the order their numbers give.

Each later domain (registry, cases, …) adds its module here; its steps use ``@demo_step``.
"""

from gridgov.cockpit import demo as cockpit_demo  # noqa: E402,F401  (rollups of the demo's cases)
from gridgov.demo import (
    calendar,  # noqa: E402,F401  (the working calendar's holidays, from chinesecalendar)
    cases,  # noqa: E402,F401  (two years of cases in every state)
    courtyards,  # noqa: E402,F401  (courtyards, landlords, tenants, inspections)
    party,  # noqa: E402,F401  (party organisations beside the areas)
    patrols,  # noqa: E402,F401  (three weeks of grid workers' patrols with route points)
    people,  # noqa: E402,F401  (micro-grids, buildings, houses, residents)
    sos,  # noqa: E402,F401  (the SOS demo device, duty shift and past SOS calls)
)
from gridgov.resident import demo as resident_demo  # noqa: E402,F401  (the demo resident's phone)
