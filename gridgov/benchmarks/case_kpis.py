"""``gridgov bench kpis``: a street's monthly figures (KPIs) against a full scan in Python.

In a scratch database, writes N cases of one street (4 communities, 40 grids, 4 departments) over
two years with realistic timelines — report, accept, dispatch (sometimes returned and dispatched
again), claim (on time or late), escalation, extension, suspension, resolution, verification,
closing, a rating (an unhappy one reworks the case), merged duplicates, rejections — as raw rows
through Django's own connection (``executemany``; ``transition`` would take hours), then times

- ours: ``reports.street_report`` for one month — every figure of the street plus the rankings
  of its communities, grids and departments (four aggregate queries);
- the limit: the same figures by a full scan in Python — every case and timeline row of the
  street read once and counted in loops, the way one would without aggregate queries.

The scan also checks ours: both must give the same counts. The ratio is the scan's time over ours.
"""

from __future__ import annotations

import datetime
import json
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

BATCH = 20_000
FIRST_DAY = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
DAYS = 731  # 2024-01-01 … 2025-12-31
MONTH = "2025-06"
COMMUNITIES = 4
GRIDS_PER_COMMUNITY = 10
MINUTE = 60
HOUR = 3600
DAY = 86400


def run(*, cases: int = 1_000_000, repeats: int = 3, progress: Any = print) -> dict[str, Any]:
    from gridgov.benchmarks import scratch_database

    with scratch_database():
        return _run(cases=cases, repeats=repeats, progress=progress)


def _run(*, cases: int, repeats: int, progress: Any) -> dict[str, Any]:
    from gridgov.benchmarks import machine
    from gridgov.cases import kpis, reports
    from gridgov.cases.models import Case

    street, grids, workers, departments, category_ids = _world()
    progress(f"writing {cases:,} cases with their timelines")
    started = time.perf_counter()
    events = _generate(cases, grids, workers, departments, category_ids)
    write_seconds = time.perf_counter() - started
    progress(f"written: {cases:,} cases, {events:,} timeline rows in {write_seconds:.0f}s")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    start, end = kpis.month_period(MONTH)
    as_of = FIRST_DAY + datetime.timedelta(days=DAYS)
    queryset = Case.objects.all()

    def ours() -> Any:
        return reports.street_report(queryset, street, MONTH, as_of=as_of)

    report = ours()  # warm
    ours_seconds = _best_of(repeats, ours)
    total_seconds = _best_of(
        repeats,
        lambda: kpis.kpis_for(
            queryset.filter(area__code__startswith=street.code), start, end, as_of=as_of
        ),
    )
    progress(f"ours: {ours_seconds:.3f}s (street figures alone {total_seconds:.3f}s)")

    scanned: dict[str, Any] = {}

    def limit() -> None:
        scanned.update(_full_scan(street.code, start, end, as_of))

    limit_seconds = _best_of(max(1, repeats - 2), limit)
    progress(f"limit (full scan in Python): {limit_seconds:.3f}s")

    ours_counts = kpis.count_groups(
        queryset.filter(area__code__startswith=street.code),
        _constant(),
        start,
        end,
        as_of=as_of,
    )
    ours_counts = next(iter(ours_counts.values()))
    mismatches = {
        name: (ours_counts[name], scanned[name])
        for name in kpis.COUNTS
        if abs(float(ours_counts[name]) - float(scanned[name])) > 1e-3 * max(1, abs(scanned[name]))
    }
    if mismatches:
        raise RuntimeError(f"figures differ from the full scan: {mismatches}")

    return {
        "name": "kpis",
        "value": round(1 / ours_seconds, 3),
        "unit": "street-month reports/s (all figures + rankings of communities, grids, departments)",
        "limit_name": "full scan of the street's cases and timeline rows in Python, same figures",
        "limit_value": round(1 / limit_seconds, 3),
        "ratio": round(limit_seconds / ours_seconds, 3),
        "report_ms": round(ours_seconds * 1000, 1),
        "limit_ms": round(limit_seconds * 1000, 1),
        "cases": cases,
        "events": events,
        "month": MONTH,
        "cases_dispatched_in_month": report.figures["response_rate"].denominator,
        "street_figures_only_ms": round(total_seconds * 1000, 1),
        "write_seconds": round(write_seconds, 1),
        "figures": {key: str(value) for key, value in report.figures.items()},
        "checked_against_full_scan": True,
        "machine": machine(),
    }


def _constant() -> Any:
    from django.db.models import Value

    return Value(0)


def _best_of(repeats: int, function: Any) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


# --- the data ----------------------------------------------------------------------------------


def _world() -> tuple[Any, list[tuple[int, int, str]], dict[int, int], list[int], list[int]]:
    from gridgov.areas.models import Area, AreaLevel
    from gridgov.cases.models import Category
    from gridgov.core.models import Department, DepartmentKind, User

    district = Area.objects.create(level=AreaLevel.DISTRICT, code="110105", name="朝晖区")
    street = Area.objects.create(
        level=AreaLevel.STREET, code="110105001", name="和平街道", parent=district
    )
    grids: list[tuple[int, int, str]] = []  # (grid id, community id, code)
    workers: dict[int, int] = {}
    for c in range(1, COMMUNITIES + 1):
        community = Area.objects.create(
            level=AreaLevel.COMMUNITY, code=f"110105001{c:03d}", name=f"第{c}社区", parent=street
        )
        for g in range(1, GRIDS_PER_COMMUNITY + 1):
            grid = Area.objects.create(
                level=AreaLevel.GRID,
                code=f"{community.code}{g:03d}",
                name=f"第{c}社区第{g}网格",
                parent=community,
            )
            grids.append((grid.pk, community.pk, grid.code))
            workers[grid.pk] = User.objects.create(username=f"worker-{grid.code}").pk
    kinds = [
        DepartmentKind.URBAN_MANAGEMENT,
        DepartmentKind.POLICE,
        DepartmentKind.HOUSING,
        DepartmentKind.ENVIRONMENT,
    ]
    departments = [
        Department.objects.create(name=f"部门{i}", kind=kind, area=street).pk
        for i, kind in enumerate(kinds, start=1)
    ]
    category_ids = list(
        Category.objects.filter(parent__isnull=False).values_list("pk", flat=True)[:20]
    )
    return street, grids, workers, departments, category_ids


_NAIVE_FIRST_DAY = FIRST_DAY.replace(tzinfo=None)


def _stamp(seconds: float) -> Any:
    """A moment as the driver takes it: SQLite stores Django's naive UTC text."""
    if _SQLITE[0]:
        return str(_NAIVE_FIRST_DAY + datetime.timedelta(seconds=int(seconds)))
    return FIRST_DAY + datetime.timedelta(seconds=int(seconds))


_SQLITE = [True]


def _case_columns() -> tuple[list[str], dict[str, Any]]:
    from gridgov.cases.models import Case

    defaults: dict[str, Any] = {}
    columns = []
    for model_field in Case._meta.concrete_fields:
        columns.append(model_field.column)
        if model_field.null:
            defaults[model_field.column] = None
        elif model_field.has_default() and not callable(model_field.default):
            defaults[model_field.column] = model_field.default
        else:
            defaults[model_field.column] = ""
    return columns, defaults


def _generate(
    count: int,
    grids: list[tuple[int, int, str]],
    workers: dict[int, int],
    departments: list[int],
    category_ids: list[int],
) -> int:
    from gridgov.cases.models import Case, CaseEvent

    rng = random.Random(2026)  # noqa: S311 (fictional test data)
    _SQLITE[0] = connection.vendor == "sqlite"
    case_columns, _defaults = _case_columns()
    event_columns = [f.column for f in CaseEvent._meta.concrete_fields if f.column != "id"]
    quote = connection.ops.quote_name
    mark = "?" if connection.vendor == "sqlite" else "%s"

    def insert(table: str, columns: list[str]) -> str:
        names = ", ".join(quote(c) for c in columns)
        return f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join([mark] * len(columns))})"  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters

    case_sql = insert(Case._meta.db_table, case_columns)
    event_sql = insert(CaseEvent._meta.db_table, event_columns)
    connection.ensure_connection()
    with _indexes_deferred([Case._meta.db_table, CaseEvent._meta.db_table]):
        return _write_cases(
            count, rng, grids, workers, departments, category_ids, case_sql, event_sql
        )


@contextmanager
def _indexes_deferred(tables: list[str]) -> Iterator[None]:
    """Without the tables' secondary indexes while they are filled, then with them built again
    (SQLite, empty tables only). Every case puts a random report time, deadline and closing
    into half a dozen indexes; once those outgrow the page cache each row costs random page
    writes, while building an index afterwards is one sort. The unique keys stay (SQLite keeps
    them in indexes of their own, which cannot be dropped), and so does every check. A load
    killed half-way leaves the indexes missing: start again from an empty data dir."""
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


def _write_cases(
    count: int,
    rng: random.Random,
    grids: list[tuple[int, int, str]],
    workers: dict[int, int],
    departments: list[int],
    category_ids: list[int],
    case_sql: str,
    event_sql: str,
) -> int:
    from gridgov.cases.models import Case, CaseEvent

    case_columns, defaults = _case_columns()
    event_columns = [f.column for f in CaseEvent._meta.concrete_fields if f.column != "id"]
    raw = connection.connection
    total_events = 0
    case_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []

    def flush() -> None:
        with transaction.atomic():
            cursor = raw.cursor()
            cursor.executemany(case_sql, case_rows)
            cursor.executemany(event_sql, event_rows)
            cursor.close()
        case_rows.clear()
        event_rows.clear()

    for number in range(1, count + 1):
        row, timeline = _one_case(rng, number, grids, workers, departments, category_ids)
        values = {**defaults, **row}
        case_rows.append(tuple(values[c] for c in case_columns))
        for action, source, target, moment, data in timeline:
            event = {
                "case_id": number,
                "action": action,
                "from_status": source,
                "to_status": target,
                "actor_id": None,
                "at": _stamp(moment),
                "visibility": "internal",
                "note": "",
                "data": json.dumps(data) if data else "{}",
                "follow_up": None,
            }
            event_rows.append(tuple(event[c] for c in event_columns))
        total_events += len(timeline)
        if len(case_rows) >= BATCH:
            flush()
    if case_rows:
        flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{Case._meta.db_table}', 'id'), {count})"  # noqa: S608
            )
    return total_events


def _one_case(
    rng: random.Random,
    number: int,
    grids: list[tuple[int, int, str]],
    workers: dict[int, int],
    departments: list[int],
    category_ids: list[int],
) -> tuple[dict[str, Any], list[tuple[str, str, str, float, dict[str, Any]]]]:
    """One case's row and timeline (action, from, to, seconds since FIRST_DAY, details)."""
    grid_id, community_id, _code = rng.choice(grids)
    # Office hours mostly: reports cluster in the day.
    day = rng.randrange(DAYS)
    t = (
        day * DAY
        + rng.choice((1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)) * HOUR
        + rng.randrange(HOUR)
    )
    t -= 8 * HOUR  # local (UTC+8) to UTC
    row: dict[str, Any] = {
        "id": number,
        "uid": uuid.UUID(int=number).hex,
        "number": f"B{number:011d}",
        "channel": rng.choice(("resident", "patrol", "patrol", "hotline")),
        "category_id": rng.choice(category_ids),
        "title": "测试诉求",
        "area_id": grid_id,
        "anonymous": True,
        "status": "reported",
        "reported_at": _stamp(t),
        "updated_at": _stamp(t),
    }
    timeline: list[tuple[str, str, str, float, dict[str, Any]]] = [
        ("report", "", "reported", t, {"channel": row["channel"]})
    ]

    def add(action: str, source: str, target: str, moment: float, data: dict | None = None) -> None:
        timeline.append((action, source, target, moment, data or {}))
        row["status"] = target

    draw = rng.random()
    if draw < 0.03:
        add("merge", "reported", "merged", t + 10 * MINUTE, {"into": max(1, number - 1)})
        row["closed_at"] = _stamp(t + 10 * MINUTE)
        return row, timeline
    if draw < 0.07:
        add("reject", "reported", "rejected", t + 30 * MINUTE)
        row["closed_at"] = _stamp(t + 30 * MINUTE)
        return row, timeline
    t += rng.randrange(5, 60) * MINUTE
    add("accept", "reported", "accepted", t)

    level_draw = rng.random()
    level = (
        "grid"
        if level_draw < 0.7
        else "community"
        if level_draw < 0.85
        else "street"
        if level_draw < 0.9
        else "department"
    )
    department = rng.choice(departments) if level == "department" else None

    def dispatch(moment: float) -> None:
        add("dispatch", "accepted", "dispatched", moment, {"assignee": {"level": level}})
        row.update(
            dispatched_at=_stamp(moment),
            claim_due_at=_stamp(moment + 2 * HOUR),
            resolve_due_at=_stamp(moment + 7 * DAY),
            claimed_at=None,
            handling_level=level,
            assignee_department_id=department,
            assignee_user_id=None,
        )

    t += 5 * MINUTE
    dispatch(t)
    resolve_due = t + 7 * DAY
    if rng.random() < 0.05:  # returned, dispatched again
        t += 30 * MINUTE
        add("return", "dispatched", "accepted", t)
        t += 30 * MINUTE
        dispatch(t)
        resolve_due = t + 7 * DAY
    claim_due = t + 2 * HOUR
    t += rng.expovariate(1 / (1.2 * HOUR))
    add("claim", "dispatched", "claimed", t, {"on_time": t <= claim_due})
    row["claimed_at"] = _stamp(t)
    row["assignee_user_id"] = workers[grid_id] if level == "grid" else None
    if level == "grid" and rng.random() < 0.05:  # escalated to the community
        t += 2 * HOUR
        level = "community"
        add("escalate", "claimed", "dispatched", t, {"to": {"level": "community"}})
        row.update(
            claim_due_at=_stamp(t + 2 * HOUR),
            resolve_due_at=_stamp(t + 7 * DAY),
            claimed_at=None,
            handling_level="community",
            assignee_user_id=None,
            escalation_level=1,
        )
        resolve_due, claim_due = t + 7 * DAY, t + 2 * HOUR
        t += rng.expovariate(1 / HOUR)
        add("claim", "dispatched", "claimed", t, {"on_time": t <= claim_due})
        row["claimed_at"] = _stamp(t)
    if rng.random() < 0.03:  # more time asked for and given
        t += HOUR
        add("request_extension", "claimed", "claimed", t, {"duration": "3 days, 0:00:00"})
        t += HOUR
        add("decide_extension", "claimed", "claimed", t, {"approved": True})
        resolve_due += 3 * DAY
        row["resolve_due_at"] = _stamp(resolve_due)
    if rng.random() < 0.02:  # suspended and still waiting
        t += HOUR
        add("suspend", "claimed", "suspended", t)
        row.update(suspended_at=_stamp(t), suspended_from="claimed")
        return row, timeline
    if rng.random() < 0.03:  # still being handled
        return row, timeline

    def settle(moment: float) -> float:
        moment += rng.expovariate(1 / (2.5 * DAY))
        add("resolve", "claimed", "resolved", moment)
        row.update(resolved_at=_stamp(moment), result="已处理")
        moment += rng.randrange(1, 8) * HOUR
        add("verify", "resolved", "verified", moment, {"passed": True})
        moment += HOUR
        add("close", "verified", "closed", moment)
        row["closed_at"] = _stamp(moment)
        return moment

    t = settle(t)
    if rng.random() < 0.7:
        t += rng.randrange(2, 72) * HOUR
        rating = rng.choices((5, 4, 3, 2, 1), weights=(50, 25, 12, 8, 5))[0]
        row.update(rating=rating)
        if rating <= 2:  # an unhappy reporter: reworked by the same handler
            add("rate", "closed", "claimed", t, {"rating": rating})
            row.update(
                claimed_at=_stamp(t),
                claim_due_at=_stamp(t + 2 * HOUR),
                resolve_due_at=_stamp(t + 7 * DAY),
                resolved_at=None,
                closed_at=None,
                reopen_count=1,
            )
            settle(t)
        else:
            add("rate", "closed", "rated", t, {"rating": rating})
    return row, timeline


# --- the limit: the same figures by a full scan in Python ---------------------------------------


def _full_scan(
    street_code: str, start: datetime.datetime, end: datetime.datetime, as_of: datetime.datetime
) -> dict[str, float]:
    """Counts (``kpis.COUNTS``) of the street's cases for the period, by reading every case and
    timeline row of the street once and counting in Python."""
    from gridgov.cases.kpis import COUNTS, LEVELS

    due_end = max(start, min(end, as_of))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.status, c.reported_at, c.claimed_at, c.claim_due_at, c.resolved_at,"
            " c.resolve_due_at, c.closed_at, c.rating, c.reopen_count"
            " FROM cases_case c JOIN areas_area a ON a.id = c.area_id WHERE a.code LIKE %s",
            [street_code + "%"],
        )
        cases = cursor.fetchall()
        cursor.execute(
            "SELECT e.case_id, e.action, e.from_status, e.to_status, e.at, e.data"
            " FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id"
            " JOIN areas_area a ON a.id = c.area_id WHERE a.code LIKE %s",
            [street_code + "%"],
        )
        events = cursor.fetchall()
    zone = datetime.UTC

    def aware(value: Any) -> datetime.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(value)
        return value if value.tzinfo else value.replace(tzinfo=zone)

    timeline: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for event in events:
        timeline[event[0]].append(event)
    counts: dict[str, float] = dict.fromkeys(COUNTS, 0)

    def within(
        moment: datetime.datetime | None, low: datetime.datetime, high: datetime.datetime
    ) -> bool:
        return moment is not None and low <= moment < high

    for (
        case_id,
        status,
        reported,
        claimed,
        claim_due,
        resolved,
        resolve_due,
        closed,
        rating,
        reopened,
    ) in cases:
        reported, claimed, claim_due = aware(reported), aware(claimed), aware(claim_due)
        resolved, resolve_due, closed = aware(resolved), aware(resolve_due), aware(closed)
        handoff = first_claim = rated_at = None
        accepted = returned = extended = first_claim_on_time = False
        assignments: list[tuple[datetime.datetime, int, str]] = []
        for _case, action, source, target, at_value, data in timeline[case_id]:
            at = aware(at_value)
            if (
                source == "accepted"
                and target == "dispatched"
                and (handoff is None or at < handoff)
            ):
                handoff = at
            if action == "claim" and source == "dispatched" and target == "claimed":
                if first_claim is None or at < first_claim:
                    details = json.loads(data) if isinstance(data, str) else data
                    first_claim, first_claim_on_time = at, details.get("on_time") is True
            accepted = accepted or action == "accept"
            returned = returned or action == "return"
            if action == "decide_extension":
                details = json.loads(data) if isinstance(data, str) else data
                extended = extended or details.get("approved") is True
            if action == "rate" and (rated_at is None or at > rated_at):
                rated_at = at
            if action in ("dispatch", "escalate", "whistle"):
                details = json.loads(data) if isinstance(data, str) else data
                level = (
                    "department"
                    if action == "whistle"
                    else (details.get("to") or {}).get("level")
                    if action == "escalate"
                    else (details.get("assignee") or {}).get("level")
                )
                assignments.append((at, len(assignments), level))
        in_reports = within(reported, start, end)
        counts["reported"] += in_reports
        counts["merged"] += in_reports and status == "merged"
        counts["filed"] += in_reports and status != "merged" and accepted
        if within(handoff, start, end):
            counts["dispatched"] += 1
            counts["responded"] += first_claim_on_time
            counts["accurate"] += not returned
            counts["resolved"] += resolved is not None
            counts["extended"] += extended
            if first_claim is not None:
                counts["claimed"] += 1
                counts["claim_seconds"] += (first_claim - handoff).total_seconds()
        if within(rated_at, start, end) and rating is not None:
            counts["rated"] += 1
            counts["rated_resolved"] += rating >= 3
            counts["satisfied"] += rating >= 4
        if within(resolve_due, start, due_end) and status not in ("suspended", "merged"):
            counts["due"] += 1
            counts["on_time_resolved"] += resolved is not None and resolved <= resolve_due
            is_closed = status in ("closed", "rated")
            counts["closed"] += is_closed
            counts["closed_on_time"] += is_closed and closed is not None and closed <= resolve_due
            counts["reopened"] += reopened > 0
        if within(resolved, start, end) and handoff is not None:
            counts["resolved_in_period"] += 1
            counts["resolve_seconds"] += (resolved - handoff).total_seconds()
            before = [a for a in assignments if a[0] <= resolved]
            if before:
                counts[f"level_{max(before)[2]}"] += 1 if max(before)[2] in LEVELS else 0
        if within(closed, start, end) and status in ("closed", "rated") and handoff is not None:
            counts["closed_in_period"] += 1
            counts["close_seconds"] += (closed - handoff).total_seconds()
    return counts
