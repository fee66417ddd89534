"""Recomputing the rollups from the raw cases and their timelines (``gridgov rollup rebuild``).

Each case's contribution (``gridgov.cockpit.facts``) is added up in memory per rollup row, then
the rows of the rebuilt days are replaced in one transaction (``executemany``). With ``since``
only the days from that date on are replaced, from the cases with a timeline entry or a deadline
on or after it.
"""

from __future__ import annotations

import datetime
import json
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


def _raw_rows(queryset: Any) -> Iterator[tuple]:
    """The rows of a ``values_list`` queryset as the driver gives them (no per-value
    converters: at city scale Django's datetime converters cost more than the counting)."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def _moment(value: Any) -> datetime.datetime | None:
    """A stored moment as an aware datetime (SQLite gives Django's naive UTC, as text or
    parsed by the column's declared type)."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


def _state(row: tuple) -> CaseState:
    return CaseState(
        area_code=row[1],
        category_id=row[2],
        channel=row[3],
        department_id=row[4],
        status=row[5],
        supervised=bool(row[6]),
        reported_at=_moment(row[7]),
        claimed_at=_moment(row[8]),
        claim_due_at=_moment(row[9]),
        resolved_at=_moment(row[10]),
        resolve_due_at=_moment(row[11]),
        closed_at=_moment(row[12]),
        rating=row[13],
        reopen_count=row[14] or 0,
    )


def _states(cases: Any) -> Iterator[list[tuple[int, CaseState]]]:
    """The cases' states in batches of ``CHUNK``, in key order."""
    last = 0
    while True:
        chunk = list(
            _raw_rows(cases.filter(pk__gt=last).order_by("pk").values_list(*STATE_FIELDS)[:CHUNK])
        )
        if not chunk:
            return
        yield [(row[0], _state(row)) for row in chunk]
        last = chunk[-1][0]


def _timelines(ids: list[int]) -> dict[int, list[tuple]]:
    """case id → its timeline entries (action, from, to, at, data) in (at, id) order."""
    events: dict[int, list[tuple]] = {pk: [] for pk in ids}
    rows = (
        CaseEvent.objects.filter(case_id__in=ids)
        .order_by("case_id", "at", "id")
        .values_list("case_id", "action", "from_status", "to_status", "at", "data")
    )
    for case_id, action, source, target, at, data in _raw_rows(rows):
        if isinstance(data, str):
            data = json.loads(data)
        events[case_id].append((action, source, target, _moment(at), data))
    return events


def compute(cases: Any, progress: Callable[[str], None] | None = None) -> Delta:
    """(dimension, key, day, area code) → counts for these cases, from their timelines."""
    totals: Delta = {}
    done = 0
    for batch in _states(cases):
        events = _timelines([pk for pk, _state in batch])
        for pk, state in batch:
            add_into(totals, state, timeline_facts(events[pk]))
        done += len(batch)
        if progress:
            progress(f"rollups: {done:,} cases read")
    return totals


def rebuild(
    since: datetime.date | None = None, progress: Callable[[str], None] | None = None
) -> int:
    """Replace the rollup rows (of the days from ``since`` on); returns the rows written."""
    from gridgov.cases.followups import settle_all

    # A step still waiting for its follow-up would be counted by the rebuild and then again by
    # the follow-up: carry those out first.
    settle_all()
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
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters
            f"({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        )
        rows = []
        # In (day, area code, key) order: the rows of a day then sit together on disk, as the
        # incremental maintenance leaves them, and a period is read from neighbouring pages.
        ordered = sorted(
            (item for item in totals.items() if item[0][0] == dimension),
            key=lambda item: (item[0][2], item[0][3], item[0][1] if key_column else 0),
        )
        for (_dimension, key, day, area_code), counts in ordered:
            if not any(counts.values()):
                continue
            row = [adapt(day), area_code] + ([key] if key_column else [])
            rows.append(row + [counts.get(name, 0) for name in names])
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5_000):
                cursor.executemany(sql, rows[start : start + 5_000])
        written += len(rows)
    return written
