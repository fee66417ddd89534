"""Three weeks of demo patrols for the demo street's grid workers, with route points.

Each working day a grid worker walks a morning and an afternoon round of their grid (a point a
minute, a step of a few dozen metres, now and then a point across the grid's edge or a poor GPS
fix indoors); every patrol-channel demo case the worker reported in those weeks falls inside a
patrol and is linked to it. Rows are written in bulk; lengths and flags are computed by the same
code as live patrols (gridgov.patrol.geodesy, the grid's polygon).
"""

from __future__ import annotations

import datetime
import json
import math
import random
from typing import Any

import numpy as np
import shapely
from django.utils import timezone

from gridgov.cases.models import Case, Channel
from gridgov.core.models import Role, RoleAssignment
from gridgov.demo.loader import DemoContext, demo_step
from gridgov.patrol import geodesy
from gridgov.patrol.models import Patrol, PatrolCase, PatrolPoint

DAYS = 21
WORKERS = 40
# Rounds of a working day (local time): start hour, minute, length in minutes.
ROUNDS = ((9, 0, 80), (15, 0, 60))
METRES_PER_DEGREE = 111_195.0


def _windows(day: datetime.date, found: list[datetime.datetime], rng: random.Random) -> list:
    """(start, end) of the day's patrols: the rounds on working days, and a short walk around
    each case found outside them; overlapping walks merge."""
    tz = timezone.get_current_timezone()
    windows = []
    if day.weekday() < 5 or rng.random() < 0.3:
        for hour, minute, length in ROUNDS:
            start = datetime.datetime.combine(day, datetime.time(hour, minute), tz)
            start += datetime.timedelta(minutes=rng.randint(-20, 25))
            windows.append(
                [start, start + datetime.timedelta(minutes=length + rng.randint(-15, 20))]
            )
    for moment in found:
        windows.append(
            [
                moment - datetime.timedelta(minutes=rng.randint(10, 30)),
                moment + datetime.timedelta(minutes=rng.randint(10, 30)),
            ]
        )
    windows.sort()
    merged: list[list[datetime.datetime]] = []
    for start, end in windows:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _walk(
    grid: Any, start: datetime.datetime, end: datetime.datetime, rng: random.Random
) -> list[tuple[datetime.datetime, float, float, float]]:
    """A point a minute from ``start`` to ``end``: a walk inside the grid's box, 30–70 m a step."""
    ring = grid.polygon["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    lon, lat = rng.uniform(west, east), rng.uniform(south, north)
    heading = rng.uniform(0, 2 * math.pi)
    points = []
    moment = start
    scale_lon = METRES_PER_DEGREE * math.cos(math.radians(lat))
    while moment <= end:
        accuracy = rng.uniform(4, 25) if rng.random() > 0.03 else rng.uniform(150, 400)
        jitter_lon = jitter_lat = 0.0
        if accuracy > geodesy.MAX_ACCURACY_M:  # indoors: the fix jumps, the worker did not
            jitter_lon = rng.uniform(-1, 1) * accuracy / scale_lon
            jitter_lat = rng.uniform(-1, 1) * accuracy / METRES_PER_DEGREE
        points.append((moment, lon + jitter_lon, lat + jitter_lat, round(accuracy, 1)))
        heading += rng.gauss(0, 0.6)
        step = rng.uniform(30, 70)
        lon += step * math.cos(heading) / scale_lon
        lat += step * math.sin(heading) / METRES_PER_DEGREE
        # Mostly the walk turns back at the grid's edge; sometimes it crosses the street first.
        margin = 0.0004 if rng.random() < 0.05 else 0.0
        if not (west - margin <= lon <= east + margin):
            heading = math.pi - heading
            lon = min(max(lon, west), east)
        if not (south - margin <= lat <= north + margin):
            heading = -heading
            lat = min(max(lat, south), north)
        moment += datetime.timedelta(seconds=60 + rng.randint(-5, 5))
    return points


@demo_step("patrols", order=74)
def load_patrols(context: DemoContext) -> None:
    workers = list(
        RoleAssignment.objects.filter(
            role=Role.GRID_WORKER, active=True, user__is_demo=True, area__level="grid"
        )
        .select_related("user", "area")
        .order_by("user__username")
    )
    workers = workers[: max(2, int(WORKERS * context.scale))]
    if not workers or Patrol.objects.filter(worker__in=[a.user for a in workers]).exists():
        return  # the demo patrols exist: a refresh keeps them
    rng = random.Random(context.rng.random())  # noqa: S311
    now = timezone.now()
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=DAYS)
    # Written in bulk, as the other demo steps do: demo rows are not in the audit log.
    patrols: list[tuple[Patrol, list, Any]] = []
    links: list[tuple[Patrol, int]] = []
    for assignment in workers:
        worker, grid = assignment.user, assignment.area
        if not grid.polygon:
            continue
        geometry = shapely.from_geojson(json.dumps(grid.polygon))
        found = list(
            Case.objects.filter(
                channel=Channel.PATROL,
                reporter_user=worker,
                reported_at__gte=timezone.make_aware(
                    datetime.datetime.combine(first_day, datetime.time.min)
                ),
                reported_at__lte=now,
            ).values_list("pk", "reported_at")
        )
        for offset in range(DAYS + 1):
            day = first_day + datetime.timedelta(days=offset)
            of_day = [(pk, at) for pk, at in found if timezone.localdate(at) == day]
            for start, end in _windows(day, [at for _pk, at in of_day], rng):
                if start >= now:
                    continue
                end = min(end, now - datetime.timedelta(minutes=1))
                if end <= start:
                    continue
                walk = _walk(grid, start, end, rng)
                lon = np.array([p[1] for p in walk])
                lat = np.array([p[2] for p in walk])
                inside = shapely.intersects_xy(geometry, lon, lat)
                route = [(p[1], p[2]) for p in walk if geodesy.counted(p[3])]
                patrol = Patrol(
                    worker=worker,
                    area=grid,
                    started_at=start,
                    ended_at=end,
                    distance_m=round(geodesy.path_length_m(route), 1),
                    point_count=len(walk),
                    outside_count=int((~inside).sum()),
                )
                patrols.append((patrol, walk, inside))
                links += [(patrol, pk) for pk, at in of_day if start <= at <= end]
    Patrol.objects.bulk_create([patrol for patrol, _walk_, _inside in patrols], batch_size=2000)
    point_rows = [
        PatrolPoint(
            patrol=patrol,
            recorded_at=moment,
            lon=round(point_lon, 7),
            lat=round(point_lat, 7),
            accuracy_m=accuracy,
            outside_grid=not bool(inside[index]),
        )
        for patrol, walk, inside in patrols
        for index, (moment, point_lon, point_lat, accuracy) in enumerate(walk)
    ]
    PatrolPoint.objects.bulk_create(point_rows, batch_size=5000)
    PatrolCase.objects.bulk_create(
        [PatrolCase(patrol=patrol, case_id=pk) for patrol, pk in links], ignore_conflicts=True
    )
