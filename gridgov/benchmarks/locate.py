"""``gridgov bench locate``: bulk point-to-area against a bare shapely STRtree over the same grids.

Builds the city's 1,916 grids (the areas of ``gridgov seed --scale city``) in a scratch database, draws
1,000,000 points over the city's extent (about 10 % fall outside every grid), and times

- ours: ``locator.locate_many`` — finest area per point, ids out, index warm;
- the limit: ``STRtree(grid polygons).query(points, predicate="intersects")`` alone.

Both run in this process on the same points; the ratio is our points/s over the limit's.
"""

from __future__ import annotations

import random
import time
from typing import Any

import numpy as np
import shapely

from gridgov.areas.locator import NOT_FOUND, Locator
from gridgov.areas.models import Area


def _best_of(repeats: int, function: Any) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def run(*, points: int = 1_000_000, repeats: int = 3, progress: Any = print) -> dict[str, Any]:
    from gridgov.benchmarks import scratch_database

    with scratch_database():
        return _run(points=points, repeats=repeats, progress=progress)


def _run(*, points: int, repeats: int, progress: Any) -> dict[str, Any]:
    from gridgov.demo import city

    progress("building the city's areas")
    city.build_city_areas(random.Random(2026), progress)  # noqa: S311
    grids = list(Area.objects.filter(code__startswith=city.CITY[0], level="grid"))

    rng = np.random.default_rng(42)
    box = city.CITY_BOX
    margin_x = (box.east - box.west) * 0.05
    margin_y = (box.north - box.south) * 0.05
    lon = rng.uniform(box.west - margin_x, box.east + margin_x, points)
    lat = rng.uniform(box.south - margin_y, box.north + margin_y, points)

    locator = Locator()
    locator.index()  # warm: the index is built once per process and polygon change
    ours_result = locator.locate_many(lon, lat)
    ours_seconds = _best_of(repeats, lambda: locator.locate_many(lon, lat))

    grid_polygons = [shapely.from_geojson(_json(grid.polygon)) for grid in grids]
    tree = shapely.STRtree(grid_polygons)
    bare_seconds = _best_of(
        repeats, lambda: tree.query(shapely.points(lon, lat), predicate="intersects")
    )

    located = int((ours_result != NOT_FOUND).sum())
    ours_rate = points / ours_seconds
    bare_rate = points / bare_seconds
    return {
        "name": "locate",
        "value": round(ours_rate),
        "unit": "points/s",
        "limit_name": "bare shapely STRtree query over the same grid polygons",
        "limit_value": round(bare_rate),
        "ratio": round(ours_rate / bare_rate, 3),
        "points": points,
        "grids": len(grids),
        "located": located,
        "single_point_us": round(_single_point_us(locator, lon, lat), 1),
    }


def _single_point_us(locator: Locator, lon: np.ndarray, lat: np.ndarray) -> float:
    samples = 2000
    started = time.perf_counter()
    for index in range(samples):
        locator.locate(float(lon[index]), float(lat[index]))
    return (time.perf_counter() - started) / samples * 1e6


def _json(polygon: Any) -> str:
    import json

    return polygon if isinstance(polygon, str) else json.dumps(polygon)
