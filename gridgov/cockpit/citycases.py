"""Cases for the benchmark-size city (``gridgov seed --scale city --cases N``): N cases over two
years (2024–2025) with realistic timelines (``gridgov.benchmarks.timelines``, the generator of
``gridgov bench kpis``; ``case_report`` would take days), then their rollups."""

from __future__ import annotations

import time
from typing import Any

from gridgov.areas.models import Area, AreaLevel
from gridgov.cases.models import Case, Category
from gridgov.core.models import Department, DepartmentKind, Role, RoleAssignment

DEPARTMENT_KINDS = (
    DepartmentKind.URBAN_MANAGEMENT,
    DepartmentKind.POLICE,
    DepartmentKind.HOUSING,
    DepartmentKind.ENVIRONMENT,
)


def generate(count: int, progress: Any) -> None:
    from gridgov.benchmarks.case_kpis import _generate
    from gridgov.cases.taxonomy import load_default_taxonomy
    from gridgov.cockpit.rebuild import rebuild
    from gridgov.demo.city import CITY

    if Case.objects.exists():
        progress(f"cases: {Case.objects.count():,} already there, none added")
        return
    load_default_taxonomy(Category)
    city = Area.objects.get(code=CITY[0])
    grids = [
        (pk, parent_id, code)
        for pk, parent_id, code in Area.objects.filter(
            level=AreaLevel.GRID, code__startswith=city.code
        ).values_list("pk", "parent_id", "code")
    ]
    workers = dict(
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, area__level=AreaLevel.GRID)
        .order_by("area_id", "-id")
        .values_list("area_id", "user_id")
    )
    departments = [
        Department.objects.get_or_create(
            name=f"{city.name}{kind.label}", defaults={"kind": kind, "area": city}
        )[0].pk
        for kind in DEPARTMENT_KINDS
    ]
    categories = list(
        Category.objects.filter(parent__isnull=False).values_list("pk", flat=True)[:30]
    )
    started = time.perf_counter()
    events = _generate(count, grids, workers, departments, categories, progress)
    progress(
        f"cases: {count:,} with {events:,} timeline rows in {time.perf_counter() - started:.0f}s"
    )
    started = time.perf_counter()
    rows = rebuild(progress=progress)
    progress(f"rollups: {rows:,} rows in {time.perf_counter() - started:.0f}s")
