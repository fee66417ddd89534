"""Where a case goes: the suggested assignee from its category's handling level and its area."""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.areas.locator import cached_area
from gridgov.areas.models import CODE_LENGTH, Area, AreaLevel
from gridgov.cases.models import Case, HandlingLevel
from gridgov.core.models import Department

LEVEL_OF = {
    HandlingLevel.GRID: AreaLevel.GRID,
    HandlingLevel.COMMUNITY: AreaLevel.COMMUNITY,
    HandlingLevel.STREET: AreaLevel.STREET,
}
# The escalation chain "网格呼叫、街镇处置、部门报到": grid → community → street.
NEXT_LEVEL = {
    HandlingLevel.GRID: HandlingLevel.COMMUNITY,
    HandlingLevel.COMMUNITY: HandlingLevel.STREET,
}


@dataclass(frozen=True)
class Assignee:
    level: str
    area: Area | None = None
    department: Department | None = None


def area_at(area: Area, level: AreaLevel) -> Area | None:
    """The ancestor-or-self of ``area`` at ``level`` (found by cutting the code)."""
    length = CODE_LENGTH[level]
    if len(area.code) < length:
        return None
    code = area.code[:length]
    return (
        cached_area(code=code)
        or Area.objects.defer("polygon").filter(code=code, retired_at__isnull=True).first()
    )


def street_of(area: Area) -> Area | None:
    return area_at(area, AreaLevel.STREET)


def queue_at(case: Case, level: str) -> Assignee | None:
    """The area queue of ``level`` (grid, community or street) for the case's place."""
    if case.outside_grids and level != HandlingLevel.STREET:
        level = HandlingLevel.STREET  # no grid holds the point: the street's dispatch queue
    target = area_at(case.area, LEVEL_OF[HandlingLevel(level)])
    return Assignee(level=level, area=target) if target else None


def suggest(case: Case) -> Assignee | None:
    """Category default: a department of its kind serving the street, or the level's queue."""
    category = case.category
    level = HandlingLevel(category.handling_level or HandlingLevel.GRID)
    if level == HandlingLevel.DEPARTMENT:
        street = street_of(case.area)
        department = (
            Department.objects.filter(
                kind=category.default_department_kind, active=True, area=street
            ).first()
            if street and category.default_department_kind
            else None
        )
        if department is not None:
            return Assignee(level=HandlingLevel.DEPARTMENT, department=department)
        return queue_at(case, HandlingLevel.STREET)
    return queue_at(case, level) or queue_at(case, HandlingLevel.STREET)


def next_level(case: Case) -> Assignee | None:
    """One step up the chain from the case's handling level, or None at the street."""
    level = NEXT_LEVEL.get(HandlingLevel(case.handling_level or HandlingLevel.GRID))
    return queue_at(case, level) if level else None
