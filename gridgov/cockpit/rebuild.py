"""Recomputing the rollups from the raw cases and their timelines (``gridgov rollup rebuild``).

Each case's contribution (``gridgov.cockpit.facts``) is added up in memory per rollup row, then
the rows of the rebuilt days are replaced in one transaction (``executemany``). With ``since``
only the days from that date on are replaced, from the cases with a timeline entry or a deadline
on or after it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gridgov.cases.models import Case, CaseEvent
from gridgov.cockpit.facts import CaseState, Delta, add_into, timeline_facts
from gridgov.cockpit.models import HOUR_COUNTS, ROLLUP_COUNTS, TABLES

CHUNK = 5_000
STATE_FIELDS = (
    "id",
    "area__code",
    "category_id",
    "channel",
    "assignee_department_id",
    "status",
    "supervised",
    "reported_at",
    "claimed_at",
    "claim_due_at",
    "resolved_at",
    "resolve_due_at",
    "closed_at",
    "rating",
    "reopen_count",
)


def _states(cases: Any) -> Iterator[tuple[int, CaseState]]:
    last = 0
    while True:
        chunk = list(cases.filter(pk__gt=last).order_by("pk").values_list(*STATE_FIELDS)[:CHUNK])
        if not chunk:
            return
        for row in chunk:
            yield (
                row[0],
                CaseState(
                    area_code=row[1],
                    category_id=row[2],
                    channel=row[3],
                    department_id=row[4],
                    status=row[5],
                    supervised=row[6],
                    reported_at=row[7],
                    claimed_at=row[8],
                    claim_due_at=row[9],
                    resolved_at=row[10],
                    resolve_due_at=row[11],
                    closed_at=row[12],
                    rating=row[13],
                    reopen_count=row[14] or 0,
                ),
            )
        last = chunk[-1][0]


def compute(cases: Any, progress: Callable[[str], None] | None = None) -> Delta:
    """(dimension, key, day, area code) → counts for these cases, from their timelines."""
    totals: Delta = {}
    batch: list[tuple[int, CaseState]] = []
    done = 0

    def flush() -> None:
        nonlocal done
        events: dict[int, list[tuple]] = {pk: [] for pk, _state in batch}
        rows = (
            CaseEvent.objects.filter(case_id__in=list(events))
            .order_by("case_id", "at", "id")
            .values_list("case_id", "action", "from_status", "to_status", "at", "data")
        )
        for row in rows.iterator(chunk_size=CHUNK):
            events[row[0]].append(row[1:])
        for pk, state in batch:
            add_into(totals, state, timeline_facts(events[pk]))
        done += len(batch)
        batch.clear()
        if progress:
            progress(f"rollups: {done:,} cases read")

    for item in _states(cases):
        batch.append(item)
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    return totals


def rebuild(
    since: datetime.date | None = None, progress: Callable[[str], None] | None = None
) -> int:
    """Replace the rollup rows (of the days from ``since`` on); returns the rows written."""
    cases = Case.objects.all()
    if since is not None:
        start = datetime.datetime.combine(
            since, datetime.time.min, tzinfo=timezone.get_default_timezone()
        )
        touched = CaseEvent.objects.filter(at__gte=start).values("case_id")
        cases = cases.filter(pk__in=touched) | cases.filter(resolve_due_at__gte=start)
    totals = compute(cases, progress)
    if since is not None:
        totals = {key: counts for key, counts in totals.items() if key[2] >= since}
    with transaction.atomic():
        for model, _key_column in TABLES.values():
            rows = model.objects.all()
            if since is not None:
                rows = rows.filter(day__gte=since)
            rows._raw_delete(rows.db)
        written = write(totals)
    return written


def write(totals: Delta) -> int:
    """Insert the rows of ``totals`` (which must not exist yet) with ``executemany``."""
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datefield_value
    written = 0
    for dimension, (model, key_column) in TABLES.items():
        names = (*ROLLUP_COUNTS, *HOUR_COUNTS) if dimension == "area" else ROLLUP_COUNTS
        keys = ["day", "area_code"] + ([key_column] if key_column else [])
        columns = keys + list(names)
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        )
        rows = []
        for (row_dimension, key, day, area_code), counts in totals.items():
            if row_dimension != dimension or not any(counts.values()):
                continue
            row = [adapt(day), area_code] + ([key] if key_column else [])
            rows.append(row + [counts.get(name, 0) for name in names])
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5_000):
                cursor.executemany(sql, rows[start : start + 5_000])
        written += len(rows)
    return written
