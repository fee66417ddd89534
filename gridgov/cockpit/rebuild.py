"""Recomputing the rollups from the raw cases and their timelines (``gridgov rollup rebuild``).

Each case's contribution (``gridgov.cockpit.facts``) is added up in memory per rollup row. The
cases are read in slices by the day they were reported: a case counts nowhere before that day,
so after a slice every row of an earlier day is complete, and those days' rows are replaced in
their own transaction (``executemany``) and leave memory. With ``since`` only the days from that
date on are replaced, from the cases with a timeline entry or a deadline on or after it.
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import itertools
import json
import multiprocessing
import threading
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from django.db import connection, connections, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from gridgov.cases.models import Case, CaseEvent
from gridgov.cockpit.facts import (
    STATE_COLUMNS,
    CaseState,
    Delta,
    add_into,
    local_day,
    timeline_facts,
)
from gridgov.cockpit.maintain import apply
from gridgov.cockpit.models import TABLES, counts_of

CHUNK = 5_000
# Days of report per slice of a rebuild: a week of a 10,000,000-case city is about 100,000 cases.
SLICE_DAYS = 7
# Pages of write-ahead log (4 KB each) the rebuild lets grow before a commit checkpoints it
# (settings.py has 4,000 for everything else): 256 MB at most, then one copy back per several slices.
CHECKPOINT_PAGES = 65_536
# Fewer cases than this are counted in the rebuilding process: forking is not worth it.
PARALLEL_FROM = 50_000
# Counting in forked processes is asked for (``--workers 2`` counted the 10,000,000-case city
# in 25 minutes): once, in a test run on PostgreSQL, one worker had ended and the pool waited
# for ever (``multiprocessing.Pool`` does when a worker dies); the cause was not found.
WORKERS = 0
STATE_FIELDS = ("id", *STATE_COLUMNS)


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


def _ids(cases: Any) -> list[int]:
    """The keys of ``cases`` in key order (sorted here: ordering in SQL could make the planner
    walk the whole table in key order instead of the index of the slice's report times)."""
    return sorted(pk for (pk,) in _raw_rows(cases.values_list("pk")))


def _states(cases: Any) -> Iterator[list[tuple[int, CaseState]]]:
    """The cases' states in batches of ``CHUNK``, in key order."""
    ids = _ids(cases)
    for start in range(0, len(ids), CHUNK):
        rows = Case.objects.filter(pk__in=ids[start : start + CHUNK]).order_by("pk")
        yield [(row[0], _state(row)) for row in _raw_rows(rows.values_list(*STATE_FIELDS))]


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
            # Most entries carry no details: skip the decoder for them (millions of rows).
            data = {} if data == "{}" else json.loads(data)
        events[case_id].append((action, source, target, _moment(at), data))
    return events


def compute(cases: Any, into: Delta | None = None) -> Delta:
    """(dimension, key, day, area code) → counts for these cases, from their timelines, added
    into ``into`` (a new dict if None)."""
    totals: Delta = {} if into is None else into
    for batch in _states(cases):
        events = _timelines([pk for pk, _state in batch])
        for pk, state in batch:
            add_into(totals, state, timeline_facts(events[pk]))
    return totals


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


class Slice(NamedTuple):
    """The cases of one slice, as dates (plain values, so that a worker process can be handed
    them): reported in [lower, upper) (None: no bound), or with ``touched_since``, those
    reported before that day with a timeline entry or a deadline on or after it."""

    lower: datetime.date | None = None
    upper: datetime.date | None = None
    touched_since: datetime.date | None = None


def _slice_cases(bounds: Slice) -> Any:
    """The queryset of the cases of ``bounds``."""
    cases = Case.objects.all()
    if bounds.touched_since is not None:
        # Cases reported before ``since`` count only if something of theirs falls on or after
        # it; every case reported from ``since`` on does.
        start = _start_of(bounds.touched_since)
        touched = CaseEvent.objects.filter(at__gte=start).values("case_id")
        return cases.filter(reported_at__lt=start).filter(
            Q(pk__in=touched) | Q(resolve_due_at__gte=start)
        )
    if bounds.lower is not None:
        cases = cases.filter(reported_at__gte=_start_of(bounds.lower))
    if bounds.upper is not None:
        cases = cases.filter(reported_at__lt=_start_of(bounds.upper))
    return cases


def _slices(
    since: datetime.date | None, slice_days: int
) -> list[tuple[Slice, datetime.date | None]]:
    """(cases, upper day) in the order of their report: once a slice's cases are counted, every
    rollup row of a day before its upper day is complete (a case counts nowhere before the day
    it was reported). The last slice has no upper day and no upper bound on the report time."""
    cases = Case.objects.all()
    # Two queries: SQLite answers MIN or MAX alone from the end of the index, both at once by
    # scanning it.
    bounds = cases.aggregate(first=Min("reported_at")) | cases.aggregate(last=Max("reported_at"))
    if bounds["first"] is None:
        # No cases: one slice of all of them (none), which clears the rows from ``since`` on.
        return [(Slice(), None)]
    first, last = local_day(bounds["first"]), local_day(bounds["last"])
    slices: list[tuple[Slice, datetime.date | None]] = []
    if since is not None:
        if last < since:
            return [(Slice(touched_since=since), None)]
        slices.append((Slice(touched_since=since), since))
        first = since
    day = first
    while True:
        upper = day + datetime.timedelta(days=slice_days)
        # The first slice of a full rebuild has no lower bound: it starts at the first report.
        lower = None if since is None and day == first else day
        if upper > last:
            slices.append((Slice(lower), None))
            return slices
        slices.append((Slice(lower, upper), upper))
        day = upper


# A rollup row as the values of its table's columns: day, area code, the key (but for the area
# rollup), then its counts.
Row = list[Any]
Rows = dict[tuple[str, Any, datetime.date, str], Row]


def _layout(dimension: str) -> tuple[list[str], tuple[str, ...]]:
    """The key columns and the count columns of the dimension's table, in row order."""
    key_column = TABLES[dimension][1]
    names = counts_of(dimension)
    return ["day", "area_code"] + ([key_column] if key_column else []), names


def _as_rows(delta: Delta) -> Rows:
    """The rows of ``delta``'s counts (rows whose counts are all zero left out, as ``write``
    always did). Done where the slice was counted, in a worker process when there are some:
    the writing process only adds rows up and hands them to the driver."""
    layouts = {}
    for dimension in TABLES:
        keys, names = _layout(dimension)
        position = {name: len(keys) + index for index, name in enumerate(names)}
        layouts[dimension] = (len(keys) == 3, position, [0] * (len(keys) + len(names)))
    rows: Rows = {}
    for identity, counts in delta.items():
        if not any(counts.values()):
            continue
        dimension, key, day, area_code = identity
        keyed, position, blank = layouts[dimension]
        # A row's few non-zero counts put in place (cheaper than a look-up per column).
        row = blank.copy()
        for name, value in counts.items():
            index = position.get(name)
            if index is not None:
                row[index] = value
        row[0] = day
        row[1] = area_code
        if keyed:
            row[2] = key
        rows[identity] = row
    return rows


def _as_counts(rows: Rows) -> Delta:
    """The rows as (dimension, key, day, area code) → their non-zero counts."""
    delta: Delta = {}
    for identity, row in rows.items():
        keys, names = _layout(identity[0])
        delta[identity] = {
            name: value for name, value in zip(names, row[len(keys) :], strict=True) if value
        }
    return delta


def _slice_rows(bounds: Slice) -> Rows:
    """The rows one slice's cases add up to (a worker process's task)."""
    return _as_rows(compute(_slice_cases(bounds), {}))


def _merge(into: Rows, rows: Rows) -> None:
    """Add ``rows`` into ``into``: a row already there gets the other's counts added."""
    for identity, row in rows.items():
        held = into.get(identity)
        if held is None:
            into[identity] = row
            continue
        for index in range(3 if TABLES[identity[0]][1] is not None else 2, len(row)):
            held[index] += row[index]


@contextlib.contextmanager
def _computed(slices: list[Slice], workers: int) -> Iterator[Iterator[Rows]]:
    """The slices' rows in order, computed by ``workers`` forked processes while the caller
    writes. At most ``workers + 1`` slices are computed ahead, so memory holds a few slices'
    rows even when writing is the slower side (``Pool.imap`` would queue every result)."""
    # Each child must open its own connection: a connection shared across fork is unusable.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:

        def ordered() -> Iterator[Rows]:
            queued: collections.deque = collections.deque()
            ahead = iter(slices)
            for bounds in itertools.islice(ahead, workers + 1):
                queued.append(pool.apply_async(_slice_rows, (bounds,)))
            while queued:
                rows = queued.popleft().get()  # re-raises a worker's exception here
                for bounds in itertools.islice(ahead, 1):
                    queued.append(pool.apply_async(_slice_rows, (bounds,)))
                yield rows

        yield ordered()
        # Leaving the block terminates the workers, also when the caller failed.


@contextlib.contextmanager
def _fewer_checkpoints(pages: int) -> Iterator[None]:
    """On SQLite, let the write-ahead log grow to ``pages`` before a commit copies it back into
    the database (a checkpoint), for this connection while the rebuild writes; then one passive
    checkpoint. Each slice rewrites the same index pages: a larger log copies them back once
    for several slices instead of once per slice or two. Durability stays as configured."""
    if connection.vendor != "sqlite" or pages <= 0 or connection.in_atomic_block:
        # Inside a transaction nothing commits until its end (and SQLite refuses a checkpoint).
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (configured,) = cursor.fetchone()
        if configured <= 0 or configured >= pages:
            configured = None  # off or already larger: leave it
        else:
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")
    try:
        yield
    finally:
        if configured is not None and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint={int(configured)}")
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _use_workers(workers: int | None, since: datetime.date | None, parallel_from: int) -> int:
    """How many worker processes to count with (0: count in this process)."""
    if workers is None:
        workers = WORKERS
    # Forked workers see committed rows only and would close this process's connection. A
    # process with other threads is not forked: a child would inherit any lock one of them held
    # at that moment (the command line has one thread).
    if workers < 2 or connection.in_atomic_block or threading.active_count() > 1:
        return 0
    cases = Case.objects.all()
    if since is not None:
        cases = cases.filter(reported_at__gte=_start_of(since))
    return workers if cases.count() >= parallel_from else 0


def rebuild(
    since: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
    slice_days: int = SLICE_DAYS,
    workers: int | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> int:
    """Replace the rollup rows (of the days from ``since`` on); returns the rows written.

    The cases are read in slices of ``slice_days`` days of report; after each slice the rows of
    the days it completed are replaced in their own transaction and leave memory, so memory
    holds the rows of a slice and of the weeks its cases stay open, not every row (all rows at
    once took 6.3 GB at 1,000,000 cases; 398 MB of heap now at 2,000,000).

    With ``workers`` processes (default ``WORKERS``, 0) the slices are counted in forked
    processes while this one writes the rows of the slices before; with fewer than 2, or fewer
    than ``parallel_from`` cases to read, inside a transaction or beside other threads, they
    are counted here.
    """
    if slice_days < 1:
        raise ValueError("slice_days must be at least 1")
    from gridgov.cases.followups import settle_all

    # A step still waiting for its follow-up would be counted by the rebuild and then again by
    # the follow-up: carry those out first.
    settle_all()
    slices = _slices(since, slice_days)
    workers = _use_workers(workers, since, parallel_from)
    pending: Rows = {}
    lower = since  # rows of the days from here on are replaced at the next flush
    written = read = 0
    with contextlib.ExitStack() as stack:
        computed = (
            stack.enter_context(_computed([bounds for bounds, _upper in slices], workers))
            if workers
            else (_slice_rows(bounds) for bounds, _upper in slices)
        )
        stack.enter_context(_fewer_checkpoints(CHECKPOINT_PAGES))
        for (_bounds, upper), rows in zip(slices, computed, strict=True):
            _merge(pending, rows)
            written += _flush(pending, since, lower, upper)
            lower = upper
            read += 1
            if progress:
                until = f"until {upper}" if upper else "to the end"
                progress(
                    f"rollups: slice {read} ({until}): {written:,} rows written, "
                    f"{len(pending):,} of later days held"
                )
    return written


def _flush(
    pending: Rows,
    since: datetime.date | None,
    lower: datetime.date | None,
    upper: datetime.date | None,
) -> int:
    """In one transaction, replace the rows of the days in [lower, upper) (no bound: open) by
    the pending rows of those days, and take them out of ``pending``. Pending rows of days
    already replaced (a case with something dated before its report) are added to the rows
    written then; rows before ``since`` are not rebuilt."""
    done = [identity for identity in pending if upper is None or identity[2] < upper]
    ready: Rows = {}
    late: Rows = {}
    for identity in done:
        row = pending.pop(identity)
        day = identity[2]
        if since is not None and day < since:
            continue
        if lower is not None and day < lower:
            late[identity] = row
        else:
            ready[identity] = row
    with transaction.atomic():
        for model, _key_column in TABLES.values():
            rows = model.objects.all()
            if lower is not None:
                rows = rows.filter(day__gte=lower)
            if upper is not None:
                rows = rows.filter(day__lt=upper)
            rows._raw_delete(rows.db)
        written = write(ready)
        apply(_as_counts(late))
    return written


def write(rows: Rows) -> int:
    """Insert ``rows`` (which must not exist yet) with ``executemany``."""
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datefield_value
    parts: dict[str, list[tuple[tuple, Row]]] = {dimension: [] for dimension in TABLES}
    for item in rows.items():
        parts[item[0][0]].append(item)
    days: dict[datetime.date, Any] = {}  # each day adapted once, not once per row
    written = 0
    for dimension, (model, key_column) in TABLES.items():
        keys, names = _layout(dimension)
        columns = keys + list(names)
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters
            f"({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        )
        ordered = parts[dimension]
        # In (day, area code, key) order: the rows of a day then sit together on disk, as the
        # incremental maintenance leaves them, and a period is read from neighbouring pages.
        if key_column:
            ordered.sort(key=lambda item: (item[0][2], item[0][3], item[0][1]))
        else:
            ordered.sort(key=lambda item: (item[0][2], item[0][3]))
        values = []
        for (_dimension, _key, day, _area_code), row in ordered:
            adapted = days.get(day)
            if adapted is None:
                adapted = days[day] = adapt(day)
            row[0] = adapted
            values.append(row)
        with connection.cursor() as cursor:
            for start in range(0, len(values), 5_000):
                cursor.executemany(sql, values[start : start + 5_000])
        written += len(values)
    return written
