"""``gridgov bench kpis``: a street's monthly figures (KPIs) against a full scan in Python.

In a scratch database, writes N cases of one street (4 communities, 40 grids, 4 departments) over
two years with realistic timelines — report, accept, dispatch (sometimes returned and dispatched
again), claim (on time or late), escalation, extension, suspension, resolution, verification,
closing, a rating (an unhappy one reworks the case), merged duplicates, rejections — as raw rows
(``gridgov.benchmarks.timelines``; ``transition`` would take hours), then times

- ours: ``reports.street_report`` for one month — every figure of the street plus the rankings
  of its communities, grids and departments (four aggregate queries);
- the limit: the same figures by a full scan in Python — every case and timeline row of the
  street read once and counted in loops, the way one would without aggregate queries.

The scan also checks ours: both must give the same counts. The ratio is the scan's time over ours.
"""

from __future__ import annotations

import datetime
import json
import time
from collections import defaultdict
from typing import Any

from django.db import connection

from gridgov.benchmarks.timelines import DAYS, FIRST_DAY

MONTH = "2025-06"
COMMUNITIES = 4
GRIDS_PER_COMMUNITY = 10


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


def _generate(
    count: int,
    grids: list[tuple[int, int, str]],
    workers: dict[int, int],
    departments: list[int],
    category_ids: list[int],
    progress: Any = None,
) -> int:
    from gridgov.benchmarks import timelines

    where = timelines.world(grids, workers, departments, category_ids)
    return timelines.generate(count, where, progress=progress)


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
