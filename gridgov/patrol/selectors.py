"""Reads of the patrol log and of the grid-worker pages. Everything scoped with ``visible_to``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from gridgov.areas.models import CODE_LENGTH, Area, AreaLevel
from gridgov.core.models import Role, RoleAssignment
from gridgov.patrol.models import Patrol

# Who walks patrols: the grid's own people.
PATROL_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER})


def worker_grids(user: Any) -> list[Area]:
    """The grids where the user works as a grid worker or grid leader, by code."""
    if not getattr(user, "is_authenticated", False):
        return []
    ids = RoleAssignment.objects.filter(
        user=user, active=True, role__in=PATROL_ROLES, area__level=AreaLevel.GRID
    ).values("area_id")
    return list(Area.objects.filter(pk__in=ids, retired_at__isnull=True).order_by("code"))


def grid_code_of(area: Area) -> str | None:
    """The code of the grid holding ``area`` (itself, or its grid ancestor), or None above."""
    length = CODE_LENGTH[AreaLevel.GRID]
    return area.code[:length] if len(area.code) >= length else None


def open_patrol(user: Any) -> Patrol | None:
    return Patrol.objects.filter(worker=user).open().select_related("area").first()


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight to midnight of ``day`` in the deployment's zone (Asia/Shanghai)."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


def patrol_list(
    user: Any,
    *,
    day_from: datetime.date | None = None,
    day_to: datetime.date | None = None,
    area: Area | None = None,
) -> QuerySet[Patrol]:
    """Patrols the user may see (their own, or those of their areas), newest first."""
    patrols = Patrol.objects.visible_to(user).select_related("worker", "area")
    if day_from is not None:
        patrols = patrols.filter(started_at__gte=_day_bounds(day_from)[0])
    if day_to is not None:
        patrols = patrols.filter(started_at__lt=_day_bounds(day_to)[1])
    if area is not None:
        patrols = patrols.filter(area__code__startswith=area.code)
    return patrols.annotate(found_count=Count("found")).order_by("-started_at", "-id")


@dataclass
class DailySummary:
    """One worker's patrols of one day: a patrol counts on the day it started."""

    worker: Any
    day: datetime.date
    grids: list[str] = field(default_factory=list)
    patrols: int = 0
    duration: datetime.timedelta = datetime.timedelta(0)
    distance_m: float = 0.0
    cases_found: int = 0
    open_patrols: int = 0

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)

    @property
    def distance_km(self) -> float:
        return round(self.distance_m / 1000.0, 2)


def daily_summary(
    user: Any,
    day: datetime.date,
    *,
    area: Area | None = None,
    now: datetime.datetime | None = None,
) -> list[DailySummary]:
    """Per worker in the user's scope: patrols started on ``day``, their time (an open patrol
    counts up to now), their length and the cases reported during them; by worker name."""
    now = now or timezone.now()
    start, end = _day_bounds(day)
    patrols = Patrol.objects.visible_to(user).filter(started_at__gte=start, started_at__lt=end)
    if area is not None:
        patrols = patrols.filter(area__code__startswith=area.code)
    rows: dict[int, DailySummary] = {}
    for patrol in patrols.select_related("worker", "area").annotate(found_count=Count("found")):
        row = rows.get(patrol.worker_id)
        if row is None:
            row = rows[patrol.worker_id] = DailySummary(worker=patrol.worker, day=day)
        row.patrols += 1
        row.duration += patrol.duration(now)
        row.distance_m += patrol.distance_m
        row.cases_found += patrol.found_count
        row.open_patrols += 1 if patrol.is_open else 0
        if patrol.area.name not in row.grids:
            row.grids.append(patrol.area.name)
    for row in rows.values():
        row.distance_m = round(row.distance_m, 1)
    return sorted(rows.values(), key=lambda r: (r.worker.display_name, r.worker.pk))


def worker_totals(user: Any, day: datetime.date) -> DailySummary:
    """The signed-in worker's own figures of the day (the phone's patrol page)."""
    own = [row for row in daily_summary(user, day) if row.worker.pk == user.pk]
    return own[0] if own else DailySummary(worker=user, day=day)
