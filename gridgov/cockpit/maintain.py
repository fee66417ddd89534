"""Keeping the rollups current as cases change: each step of a case is counted as its follow-up
(``gridgov.cases.followups``), after the step's commit or inline in it.

The cost is one read of the case's own timeline up to the step (through the ``(case, at)``
index) and one UPSERT per rollup row whose counts change; nothing is scanned. The old
contribution is taken off and the new one added, so steps may be counted in any order.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django.db import connection

from gridgov.cases.models import CaseEvent
from gridgov.cockpit.facts import CaseState, Delta, TimelineFacts, add_into, timeline_facts
from gridgov.cockpit.models import TABLES, counts_of


def step_followed(*, event: CaseEvent, before: Mapping[str, Any] | None, after: Mapping) -> None:
    """``before`` / ``after``: the case's snapshots around the step (``before`` None: reported)."""
    apply(step_delta(event, before, after))


def prepare_steps(
    steps: list[tuple[CaseEvent, Mapping[str, Any] | None, Mapping]],
) -> Callable[[], None]:
    """Many steps at once (the relay's batch): their deltas summed now (reading only timelines up
    to each step, which no later step changes), written by the returned function with one UPSERT
    per rollup row. A batch of reports of the same day and grids touches each row once instead of
    once per report, and the writing transaction holds its locks for the UPSERTs only."""
    total: Delta = {}
    for event, before, after in steps:
        for row, counts in step_delta(event, before, after).items():
            into = total.setdefault(row, {})
            for name, value in counts.items():
                into[name] = into.get(name, 0) + value
    return lambda: apply(total)


def step_delta(event: CaseEvent, before: Mapping[str, Any] | None, after: Mapping) -> Delta:
    """What the step changes in the rollups: counts to add per row."""
    new_state = CaseState.from_snapshot(after)
    if before is None:
        # A new case counts in the reported cohort of its day.
        return add_into({}, new_state, TimelineFacts(accepted=False))
    old_state = CaseState.from_snapshot(before)
    # The timeline as it stood just after this step: later steps are counted by their own
    # follow-ups.
    rows = list(
        CaseEvent.objects.filter(case_id=event.case_id, pk__lte=event.pk)
        .order_by("at", "id")
        .values_list("id", "action", "from_status", "to_status", "at", "data")
    )
    old_facts = timeline_facts(row[1:] for row in rows if row[0] != event.pk)
    new_facts = timeline_facts(row[1:] for row in rows)
    delta: Delta = {}
    add_into(delta, old_state, old_facts, sign=-1)
    add_into(delta, new_state, new_facts, sign=1)
    return delta


def apply(delta: Delta) -> None:
    """Add each row's counts (rows whose counts all cancel out are skipped): per table one UPSERT,
    run for its rows in the order of their keys (``executemany``, which psycopg pipelines). A
    relay's batch touches a few hundred rows: one round trip a table instead of one a row, and
    two relays lock the rows they share in the same order, so they cannot deadlock on them."""
    tables: dict[str, dict[tuple, dict]] = {}
    for (dimension, key, day, area_code), counts in delta.items():
        changed = {name: value for name, value in counts.items() if abs(value) > 1e-9}
        if TABLES[dimension][1] is not None:  # only the area tables count hours
            changed = {
                name: value for name, value in changed.items() if not name.startswith("hour_")
            }
        if changed:
            tables.setdefault(dimension, {})[(day, area_code, key)] = changed
    for dimension in sorted(tables):
        rows = tables[dimension]
        # One statement for the table: a count that a row does not change adds 0 to it.
        names = tuple(sorted({name for counts in rows.values() for name in counts}))
        keyed = TABLES[dimension][1] is not None
        params = [
            [connection.ops.adapt_datefield_value(day), area_code]
            + ([key] if keyed else [])
            + [counts.get(name, 0) for name in names]
            for (day, area_code, key), counts in sorted(rows.items(), key=lambda item: item[0])
        ]
        with connection.cursor() as cursor:
            cursor.executemany(_upsert_sql(connection.vendor, dimension, names), params)


@functools.lru_cache(maxsize=1024)  # the sets of counts that steps change are few
def _upsert_sql(vendor: str, dimension: str, names: tuple[str, ...]) -> str:
    """The UPSERT adding ``names`` to a row of ``dimension``'s table, per database kind. The
    other counts of a new row are written 0 in its text: fewer parameters (an area row has 45
    columns), and psycopg converts a statement of at most 50 once, not at every run."""
    model, key_column = TABLES[dimension]
    table = model._meta.db_table
    quote = connection.ops.quote_name
    keys = ["day", "area_code"] + ([key_column] if key_column else [])
    defaults = [name for name in counts_of(dimension) if name not in names]
    columns = keys + list(names) + defaults
    slots = ["%s"] * (len(keys) + len(names)) + ["0"] * len(defaults)
    updates = ", ".join(
        f"{quote(name)} = {quote(table)}.{quote(name)} + excluded.{quote(name)}" for name in names
    )
    return (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters
        f"VALUES ({', '.join(slots)}) "
        f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {updates}"
    )
