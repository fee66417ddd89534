"""``gridgov bench cases``: creating cases in process against raw SQL writing the same rows.

In a scratch database with one street of 40 grids (polygons) and the default taxonomy:

- ours: ``cases`` cases, one at a time, each in its own transaction, the way an intake clerk takes
  a hotline call: ``case_report`` (validation, the callback phone encrypted, locating the point in
  its grid) then ``transition`` accept and dispatch (guards, the category's routing and deadlines
  on the working calendar, compare-and-set, timeline entries, audit records, deadline jobs queued);
- the limit: the very rows ours wrote for each case (the case, its timeline entries, its audit
  records, its summons and queued jobs) read back, the tables emptied, and inserted again by the
  database driver's cursor, one transaction per case, on the same connection.

Ratio = ours ÷ limit in cases per second (the goal is ≥ 0.1).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from typing import Any

TABLES = (
    "cases_case",
    "cases_caseevent",
    "cases_casesummons",
    "auditlog_logentry",
    "django_tasks_database_dbtaskresult",
)


def run(*, cases: int = 2000, progress: Any = print) -> dict[str, Any]:
    from gridgov.benchmarks import scratch_database

    with scratch_database():
        return _run(count=cases, progress=progress)


def _world() -> tuple[Any, list[Any]]:
    from gridgov.areas.models import Area
    from gridgov.core.models import Role, RoleAssignment, User
    from gridgov.demo.geometry import Box

    district = Area.objects.create(level="district", code="990102", name="临江区")
    box = Box(120.14, 30.24, 120.1730, 30.2620)
    street = Area.objects.create(
        level="street", code="990102001", name="和平街道", parent=district, polygon=box.geojson()
    )
    grids = []
    for c_index, c_box in enumerate(box.split(4), start=1):
        community = Area.objects.create(
            level="community",
            code=f"990102001{c_index:03d}",
            name=f"社区{c_index}",
            parent=street,
            polygon=c_box.geojson(),
        )
        for g_index, g_box in enumerate(c_box.split(10), start=1):
            grids.append(
                Area.objects.create(
                    level="grid",
                    code=f"{community.code}{g_index:03d}",
                    name=f"网格{c_index}-{g_index}",
                    parent=community,
                    polygon=g_box.geojson(),
                )
            )
    clerk = User.objects.create_user("clerk", full_name="受理员")
    RoleAssignment.objects.create(user=clerk, role=Role.STREET_OFFICER, area=street)
    return clerk, grids


def _run(*, count: int, progress: Any) -> dict[str, Any]:
    from django.db import connection, transaction

    from gridgov.benchmarks import machine
    from gridgov.cases.models import Case, Category
    from gridgov.cases.services import case_report
    from gridgov.cases.taxonomy import load_default_taxonomy
    from gridgov.cases.workflow import transition

    load_default_taxonomy(Category)
    clerk, grids = _world()
    categories = list(
        Category.objects.filter(
            parent__isnull=False, handling_level__in=["grid", "community", "street"]
        )
    )
    rng = random.Random(7)  # noqa: S311 (benchmark data)
    points = []
    for _ in range(count):
        grid = rng.choice(grids)
        ring = grid.polygon["coordinates"][0]
        points.append((rng.uniform(ring[0][0], ring[2][0]), rng.uniform(ring[0][1], ring[2][1])))

    started = time.perf_counter()
    for index, (lon, lat) in enumerate(points):
        with transaction.atomic():
            case = case_report(
                actor=clerk,
                channel="hotline",
                category=categories[index % len(categories)],
                title="市民来电反映问题",
                description="楼道内堆放杂物，影响通行。",
                lon=lon,
                lat=lat,
                address="和平路1号",
                callback_phone="13812345678",
                anonymous=True,
            ).case
            case = transition(case=case, action="accept", actor=clerk)
            transition(case=case, action="dispatch", actor=clerk)
    ours_seconds = time.perf_counter() - started
    progress(f"ours: {count / ours_seconds:,.1f} cases/s ({ours_seconds:.1f}s)")

    # The rows ours wrote, grouped by case, to be written again by the driver alone.
    quote = connection.ops.quote_name
    saved: dict[str, tuple[list[str], list[tuple]]] = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")  # noqa: S608 (our table names) # nosec B608
            columns = [column[0] for column in cursor.description]
            saved[table] = (columns, cursor.fetchall())
    case_ids = [row[0] for row in saved["cases_case"][1]]
    per_case: dict[int, list[tuple[str, tuple]]] = defaultdict(list)
    for table, (columns, rows) in saved.items():
        key = {
            "cases_case": "id",
            "cases_caseevent": "case_id",
            "cases_casesummons": "case_id",
        }.get(table)
        for position, row in enumerate(rows):
            if key:
                owner = row[columns.index(key)]
            else:
                owner = case_ids[
                    min(position * len(case_ids) // max(len(rows), 1), len(case_ids) - 1)
                ]
            per_case[owner].append((table, row))
    with connection.cursor() as cursor:
        for table in reversed(TABLES):
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters
    mark = "?" if connection.vendor == "sqlite" else "%s"
    sql = {
        table: f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join([mark] * len(columns))})"  # noqa: S608 # nosec B608 # names quoted from our own models, values passed as parameters
        for table, (columns, _rows) in saved.items()
    }
    connection.ensure_connection()
    raw = connection.connection
    started = time.perf_counter()
    for case_id in case_ids:
        with transaction.atomic():
            cursor = raw.cursor()
            for table, row in per_case[case_id]:
                cursor.execute(sql[table], row)
            cursor.close()
    limit_seconds = time.perf_counter() - started
    progress(f"limit: {count / limit_seconds:,.1f} cases/s ({limit_seconds:.1f}s)")
    rows_per_case = sum(len(rows) for _c, rows in saved.values()) / count

    # Not part of the figure: what a worker's relay then does with the steps' follow-ups (rollup
    # counts, notifications, deadline checks), carried out here one by one as the relay would.
    from gridgov.cases.followups import pending_count, settle_all

    steps = pending_count()
    started = time.perf_counter()
    settle_all()
    follow_up_seconds = time.perf_counter() - started
    if steps:
        progress(f"follow-ups: {steps / follow_up_seconds:,.1f} steps/s ({follow_up_seconds:.1f}s)")
    ours_rate, limit_rate = count / ours_seconds, count / limit_seconds
    assert Case.objects.count() == count
    return {
        "name": "cases",
        "value": round(ours_rate, 1),
        "unit": "cases/s",
        "limit_name": "raw SQL writing the same rows, one transaction per case",
        "limit_value": round(limit_rate, 1),
        "ratio": round(ours_rate / limit_rate, 3),
        "cases": count,
        "rows_per_case": round(rows_per_case, 1),
        "seconds": round(ours_seconds, 2),
        "limit_seconds": round(limit_seconds, 2),
        "follow_ups": steps,
        "follow_ups_per_second": round(steps / follow_up_seconds, 1) if steps else None,
        "machine": machine(),
    }
