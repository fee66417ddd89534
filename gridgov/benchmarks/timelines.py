"""Generated cases with realistic timelines, for the benchmarks and the city seed.

Each case is reported, then merged or rejected, or accepted and dispatched (sometimes returned
and dispatched again), claimed on time or late, escalated, given more time, suspended, left in
hand, or resolved, verified and closed, rated, and reworked after an unhappy rating. The draws
are made for a whole batch of cases at once with numpy and the rows written with
``executemany``: per case in Python this took 14 s per 100,000 cases, which is over two hours
for the 10,000,000 cases of the city benchmark. ``case_report`` and ``transition`` would take
days; these rows are what they would have written, minus the follow-ups.

Cases are numbered in the order they were reported, as a live system numbers them, so a period's
cases and their timeline rows sit together on disk.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction

FIRST_DAY = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
DAYS = 731  # 2024-01-01 … 2025-12-31
BATCH = 100_000
MINUTE = 60
HOUR = 3600
DAY = 86400
# Hours after local midnight at which reports arrive: office hours mostly.
REPORT_HOURS = np.array((1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))
CHANNELS = np.array(("resident", "patrol", "patrol", "hotline"), dtype=object)
LEVELS = np.array(("grid", "community", "street", "department"), dtype=object)
LEVEL_ODDS = np.array((0.7, 0.85, 0.9))  # below: grid, community, street; above: department
RATINGS = np.array((5, 4, 3, 2, 1))
RATING_WEIGHTS = np.array((50, 25, 12, 8, 5)) / 100

# (action, from, to) of each kind of timeline entry, in the order they happen to a case.
STEPS = {
    "report": ("report", "", "reported"),
    "merge": ("merge", "reported", "merged"),
    "reject": ("reject", "reported", "rejected"),
    "accept": ("accept", "reported", "accepted"),
    "dispatch": ("dispatch", "accepted", "dispatched"),
    "return": ("return", "dispatched", "accepted"),
    "dispatch_again": ("dispatch", "accepted", "dispatched"),
    "claim": ("claim", "dispatched", "claimed"),
    "escalate": ("escalate", "claimed", "dispatched"),
    "claim_again": ("claim", "dispatched", "claimed"),
    "request_extension": ("request_extension", "claimed", "claimed"),
    "decide_extension": ("decide_extension", "claimed", "claimed"),
    "suspend": ("suspend", "claimed", "suspended"),
    "resolve": ("resolve", "claimed", "resolved"),
    "verify": ("verify", "resolved", "verified"),
    "close": ("close", "verified", "closed"),
    "rate": ("rate", "closed", "rated"),
    "rework": ("rate", "closed", "claimed"),
    "resolve_again": ("resolve", "claimed", "resolved"),
    "verify_again": ("verify", "resolved", "verified"),
    "close_again": ("close", "verified", "closed"),
}


@dataclass(frozen=True)
class World:
    """Where the cases go: grids (id, code) with their workers, departments and categories."""

    grid_ids: np.ndarray
    worker_of_grid: np.ndarray  # the grid's worker's user id, 0 for none
    departments: np.ndarray
    categories: np.ndarray


def world(
    grids: list[tuple[int, int, str]],
    workers: dict[int, int],
    departments: list[int],
    category_ids: list[int],
) -> World:
    return World(
        grid_ids=np.array([grid_id for grid_id, _parent, _code in grids]),
        worker_of_grid=np.array([workers.get(grid_id, 0) for grid_id, _parent, _code in grids]),
        departments=np.array(departments),
        categories=np.array(category_ids),
    )


def generate(
    count: int,
    where: World,
    *,
    seed: int = 2026,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write ``count`` cases with their timelines into empty case tables; returns the number
    of timeline rows."""
    from gridgov.cases.models import Case, CaseEvent

    rng = np.random.default_rng(seed)
    # Every report time first, sorted: the case numbers then follow the report times.
    day = rng.integers(DAYS, size=count)
    reported = (
        day * DAY
        + rng.choice(REPORT_HOURS, size=count) * HOUR
        + rng.integers(HOUR, size=count)
        - 8 * HOUR  # local (UTC+8) to UTC
    )
    reported.sort()
    writer = _Writer.for_connection()
    events = 0
    connection.ensure_connection()
    with _indexes_deferred([Case._meta.db_table, CaseEvent._meta.db_table]):
        for start in range(0, count, BATCH):
            batch = _Batch.draw(rng, where, start + 1, reported[start : start + BATCH])
            with transaction.atomic():
                writer.cases(batch)
                events += writer.events(batch)
            if progress:
                progress(f"cases: {start + batch.size:,}/{count:,} ({events:,} timeline rows)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [Case._meta.db_table, max(count, 1)],
            )
    return events


NONE = -1  # "no moment" in the arrays of moments


class _Batch:
    """The rows of consecutive cases as columns: each attribute one value per case; moments in
    seconds since ``FIRST_DAY`` (``NONE``: not set)."""

    def __init__(self, first: int, reported: np.ndarray) -> None:
        self.size = len(reported)
        self.ids = np.arange(first, first + self.size)
        self.reported = reported
        # kind of timeline entry → (indexes of the cases that have it, moments, details)
        self.steps: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | str]] = {}

    def step(self, kind: str, mask: np.ndarray, at: np.ndarray, data: np.ndarray | str) -> None:
        which = np.flatnonzero(mask)
        details = data if isinstance(data, str) else data[which]
        self.steps[kind] = (which, at[which], details)
        self.status[which] = STEPS[kind][2]
        self.updated[which] = at[which]

    @classmethod
    def draw(cls, rng: np.random.Generator, where: World, first: int, reported: Any) -> _Batch:
        b = cls(first, reported)
        n = b.size
        b.status = np.full(n, "reported", dtype=object)
        b.updated = reported.copy()
        grid = rng.integers(len(where.grid_ids), size=n)
        b.area = where.grid_ids[grid]
        b.channel = CHANNELS[rng.integers(len(CHANNELS), size=n)]
        b.category = where.categories[rng.integers(len(where.categories), size=n)]
        every = np.ones(n, dtype=bool)
        b.step("report", every, reported, '{"channel": "' + b.channel + '"}')

        fate = rng.random(n)
        merged, rejected = fate < 0.03, (fate >= 0.03) & (fate < 0.07)
        b.step("merge", merged, reported + 10 * MINUTE, _into(b.ids))
        b.step("reject", rejected, reported + 30 * MINUTE, "{}")
        b.closed = np.where(
            merged, reported + 10 * MINUTE, np.where(rejected, reported + 30 * MINUTE, NONE)
        )
        live = ~(merged | rejected)

        accepted = reported + rng.integers(5, 60, size=n) * MINUTE
        b.step("accept", live, accepted, "{}")
        level = np.searchsorted(LEVEL_ODDS, rng.random(n), side="right")
        b.department = np.where(
            (level == 3) & live,
            where.departments[rng.integers(len(where.departments), size=n)],
            0,
        )
        dispatched = accepted + 5 * MINUTE
        b.step("dispatch", live, dispatched, '{"assignee": {"level": "' + LEVELS[level] + '"}}')
        returned = live & (rng.random(n) < 0.05)
        b.step("return", returned, dispatched + 30 * MINUTE, "{}")
        dispatched = np.where(returned, dispatched + 60 * MINUTE, dispatched)
        b.step(
            "dispatch_again",
            returned,
            dispatched,
            '{"assignee": {"level": "' + LEVELS[level] + '"}}',
        )
        b.dispatched = np.where(live, dispatched, NONE)
        claim_due = dispatched + 2 * HOUR
        resolve_due = dispatched + 7 * DAY

        claimed = dispatched + _waits(rng, 1.2 * HOUR, n)
        b.step("claim", live, claimed, _on_time(claimed <= claim_due))
        b.worker = np.where((level == 0) & live, where.worker_of_grid[grid], 0)

        escalated = live & (level == 0) & (rng.random(n) < 0.05)
        at = claimed + 2 * HOUR
        b.step("escalate", escalated, at, '{"to": {"level": "community"}}')
        level = np.where(escalated, 1, level)
        b.worker = np.where(escalated, 0, b.worker)
        claim_due = np.where(escalated, at + 2 * HOUR, claim_due)
        resolve_due = np.where(escalated, at + 7 * DAY, resolve_due)
        again = at + _waits(rng, HOUR, n)
        b.step("claim_again", escalated, again, _on_time(again <= claim_due))
        claimed = np.where(escalated, again, claimed)
        b.escalation = escalated.astype(int)

        extended = live & (rng.random(n) < 0.03)
        b.step("request_extension", extended, claimed + HOUR, '{"duration": "3 days, 0:00:00"}')
        b.step("decide_extension", extended, claimed + 2 * HOUR, '{"approved": true}')
        resolve_due = np.where(extended, resolve_due + 3 * DAY, resolve_due)
        t = np.where(extended, claimed + 2 * HOUR, claimed)

        suspended = live & (rng.random(n) < 0.02)
        b.step("suspend", suspended, t + HOUR, "{}")
        b.suspended = np.where(suspended, t + HOUR, NONE)
        in_hand = live & ~suspended & (rng.random(n) < 0.03)
        settled = live & ~suspended & ~in_hand

        resolved, closed = _settle(b, rng, settled, t, "")
        b.resolved = np.where(settled, resolved, NONE)
        b.closed = np.where(settled, closed, b.closed)

        rated = settled & (rng.random(n) < 0.7)
        rated_at = closed + rng.integers(2, 72, size=n) * HOUR
        rating = rng.choice(RATINGS, size=n, p=RATING_WEIGHTS)
        unhappy = rated & (rating <= 2)
        b.step(
            "rate",
            rated & ~unhappy,
            rated_at,
            '{"rating": ' + rating.astype(str).astype(object) + "}",
        )
        b.step("rework", unhappy, rated_at, '{"rating": ' + rating.astype(str).astype(object) + "}")
        b.rating = np.where(rated, rating, 0)
        # An unhappy reporter: the same handler works on it again, with new deadlines.
        claimed = np.where(unhappy, rated_at, claimed)
        claim_due = np.where(unhappy, rated_at + 2 * HOUR, claim_due)
        resolve_due = np.where(unhappy, rated_at + 7 * DAY, resolve_due)
        resolved, closed = _settle(b, rng, unhappy, rated_at, "_again")
        b.resolved = np.where(unhappy, resolved, b.resolved)
        b.closed = np.where(unhappy, closed, b.closed)
        b.reopened = unhappy.astype(int)

        b.claimed = np.where(live, claimed, NONE)
        b.claim_due = np.where(live, claim_due, NONE)
        b.resolve_due = np.where(live, resolve_due, NONE)
        b.level = np.where(live, LEVELS[level], "")
        return b


def _into(ids: np.ndarray) -> np.ndarray:
    """A merged case's details: merged into the case reported before it."""
    return '{"into": ' + np.maximum(ids - 1, 1).astype(str).astype(object) + "}"


def _on_time(on_time: np.ndarray) -> np.ndarray:
    return np.where(on_time, '{"on_time": true}', '{"on_time": false}').astype(object)


def _waits(rng: np.random.Generator, mean: float, n: int) -> np.ndarray:
    """Whole seconds of exponential waits with this mean."""
    return rng.exponential(mean, size=n).astype(np.int64)


def _settle(
    b: _Batch, rng: np.random.Generator, mask: np.ndarray, start: np.ndarray, again: str
) -> tuple[np.ndarray, np.ndarray]:
    """Resolved after an exponential wait, verified within hours, closed an hour later."""
    n = b.size
    resolved = start + _waits(rng, 2.5 * DAY, n)
    verified = resolved + rng.integers(1, 8, size=n) * HOUR
    closed = verified + HOUR
    b.step(f"resolve{again}", mask, resolved, "{}")
    b.step(f"verify{again}", mask, verified, '{"passed": true}')
    b.step(f"close{again}", mask, closed, "{}")
    return resolved, closed


# --- writing ------------------------------------------------------------------------------------


class _Writer:
    """The INSERT statements, with the database turning seconds into its own moments."""

    def __init__(self, moment: str) -> None:
        from gridgov.cases.models import Case, CaseEvent

        quote = connection.ops.quote_name
        mark = "%s"  # Django's placeholder, on every engine
        self.case_columns = {
            "id": mark,
            "uid": mark,
            "number": mark,
            "channel": mark,
            "client_key": "NULL",
            "category_id": mark,
            "title": "'测试诉求'",
            "description": "''",
            "urgency": "'normal'",
            "address": "''",
            "area_id": mark,
            "outside_grids": "FALSE",
            "reporter_name": "''",
            "anonymous": "TRUE",
            "callback_phone": "''",
            "callback_phone_index": "''",
            "status": mark,
            "version": "0",
            "assignee_user_id": mark,
            "assignee_department_id": mark,
            "handling_level": mark,
            "escalation_level": mark,
            "supervised": "FALSE",
            "whistled": "FALSE",
            "public": "FALSE",
            "hidden": "FALSE",
            "reported_at": moment,
            "dispatched_at": moment,
            "claim_due_at": moment,
            "resolve_due_at": moment,
            "claimed_at": moment,
            "resolved_at": moment,
            "closed_at": moment,
            "suspended_at": moment,
            "suspended_from": mark,
            "result": mark,
            "reopen_count": mark,
            "extension_reason": "''",
            "rating": mark,
            "rating_comment": "''",
            "updated_at": moment,
        }
        known = {f.column for f in Case._meta.concrete_fields}
        missing = {
            f.column for f in Case._meta.concrete_fields if not f.null
        } - self.case_columns.keys()
        if missing or not self.case_columns.keys() <= known:
            raise RuntimeError(f"the generated case rows do not match the model: {missing}")
        self.case_sql = _insert(
            quote, Case._meta.db_table, list(self.case_columns), list(self.case_columns.values())
        )
        self.event_sql = _insert(
            quote,
            CaseEvent._meta.db_table,
            ["case_id", "action", "from_status", "to_status", "at", "visibility", "note", "data"],
            [mark, mark, mark, mark, moment, "'internal'", "''", mark],
        )

    @classmethod
    def for_connection(cls) -> _Writer:
        if connection.vendor == "sqlite":
            return cls("datetime(%s, 'unixepoch')")
        return cls("to_timestamp(%s)")

    def cases(self, b: _Batch) -> None:
        base = int(FIRST_DAY.timestamp())

        def moments(values: np.ndarray) -> list[Any]:
            return np.where(values == NONE, None, values + base).tolist()

        def optional(values: np.ndarray) -> list[Any]:
            return np.where(values == 0, None, values).tolist()

        ids = b.ids.tolist()
        settled = b.resolved != NONE
        columns = [
            ids,
            [f"{number:032x}" for number in ids],
            [f"B{number:011d}" for number in ids],
            b.channel.tolist(),
            b.category.tolist(),
            b.area.tolist(),
            b.status.tolist(),
            optional(b.worker),
            optional(b.department),
            b.level.tolist(),
            b.escalation.tolist(),
            moments(b.reported),
            moments(b.dispatched),
            moments(b.claim_due),
            moments(b.resolve_due),
            moments(b.claimed),
            moments(b.resolved),
            moments(b.closed),
            moments(b.suspended),
            np.where(b.suspended != NONE, "claimed", "").tolist(),
            np.where(settled, "已处理", "").tolist(),
            b.reopened.tolist(),
            optional(b.rating),
            moments(b.updated),
        ]
        with connection.cursor() as cursor:
            cursor.executemany(self.case_sql, list(zip(*columns, strict=True)))

    def events(self, b: _Batch) -> int:
        base = int(FIRST_DAY.timestamp())
        kinds = list(b.steps)
        which = np.concatenate([b.steps[kind][0] for kind in kinds])
        at = np.concatenate([b.steps[kind][1] for kind in kinds])
        data = np.concatenate([_details(*b.steps[kind]) for kind in kinds])
        kind = np.concatenate(
            [np.full(len(b.steps[name][0]), index) for index, name in enumerate(kinds)]
        )
        # Per case, the entries in the order of STEPS (which is the order they happened).
        order = np.lexsort((kind, which))
        steps = [STEPS[name] for name in kinds]
        actions = np.array([s[0] for s in steps], dtype=object)[kind[order]]
        sources = np.array([s[1] for s in steps], dtype=object)[kind[order]]
        targets = np.array([s[2] for s in steps], dtype=object)[kind[order]]
        rows = zip(
            b.ids[which[order]].tolist(),
            actions.tolist(),
            sources.tolist(),
            targets.tolist(),
            (at[order] + base).tolist(),
            data[order].tolist(),
            strict=True,
        )
        with connection.cursor() as cursor:
            cursor.executemany(self.event_sql, list(rows))
        return len(order)


def _details(which: np.ndarray, _at: np.ndarray, details: np.ndarray | str) -> np.ndarray:
    return np.full(len(which), details, dtype=object) if isinstance(details, str) else details


def _insert(quote: Callable[[str], str], table: str, columns: list[str], values: list[str]) -> str:
    names = ", ".join(quote(c) for c in columns)
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(values)})"  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters


@contextmanager
def _indexes_deferred(tables: list[str]) -> Iterator[None]:
    """Without the tables' secondary indexes while they are filled, then with them built again
    (SQLite, empty tables only). Every case puts a report time, deadline and closing into half
    a dozen indexes; once those outgrow the page cache each row costs random page writes, while
    building an index afterwards is one sort. The unique keys stay (SQLite keeps them in indexes
    of their own, which cannot be dropped), and so does every check. A load killed half-way
    leaves the indexes missing: start again from an empty data dir."""
    indexes: list[tuple[str, str]] = []
    if connection.vendor == "sqlite":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            empty = True
            for table in tables:
                cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608 # nosec B608
                empty = empty and cursor.fetchone() is None
            if empty:
                marks = ", ".join(["%s"] * len(tables))
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index'"  # noqa: S608 # nosec B608
                    f" AND sql IS NOT NULL AND tbl_name IN ({marks})",
                    tables,
                )
                indexes = cursor.fetchall()
                for name, _sql in indexes:
                    cursor.execute(f"DROP INDEX {quote(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
