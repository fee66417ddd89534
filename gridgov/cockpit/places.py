"""Case points, heat and hotspots (places with repeated cases) for the cockpit's map.

Points are the located cases of one period (and category) in the scope, newest first, capped;
hotspots group them into cells of about 100 m (coordinates rounded to 0.001°) and name each cell
by its most frequent address.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from typing import Any

from django.urls import reverse

from gridgov.areas.geo import wgs84_to_gcj02
from gridgov.cockpit.figures import Where

MAX_POINTS = 5_000
CELL = 3  # decimals of a degree: about 100 m


def points(
    where: Where,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    category_code: str = "",
    limit: int = MAX_POINTS,
) -> list[dict[str, Any]]:
    cases = where.cases().filter(
        reported_at__gte=start, reported_at__lt=end, lon__isnull=False, lat__isnull=False
    )
    if category_code:
        cases = cases.filter(category__code__startswith=category_code)
    rows = cases.order_by("-reported_at").values_list(
        "pk", "number", "title", "lon", "lat", "address", "status", "area__code"
    )[:limit]
    return [
        {
            "id": pk,
            "number": number,
            "title": title,
            "lon": lon,
            "lat": lat,
            "address": address,
            "status": status,
            "area": area_code,
        }
        for pk, number, title, lon, lat, address, status, area_code in rows
    ]


def hotspots(
    found: list[dict[str, Any]], *, minimum: int = 2, limit: int = 20
) -> list[dict[str, Any]]:
    """Cells with at least ``minimum`` cases, most first."""
    cells: dict[tuple[float, float], list[dict[str, Any]]] = defaultdict(list)
    for point in found:
        cells[(round(point["lon"], CELL), round(point["lat"], CELL))].append(point)
    spots = []
    for (lon, lat), members in cells.items():
        if len(members) < minimum:
            continue
        addresses = Counter(m["address"] for m in members if m["address"])
        spots.append(
            {
                "lon": lon,
                "lat": lat,
                "count": len(members),
                "address": addresses.most_common(1)[0][0] if addresses else "",
                "area": Counter(m["area"] for m in members).most_common(1)[0][0],
                "cases": [m["id"] for m in members[:20]],
            }
        )
    spots.sort(key=lambda spot: (-spot["count"], spot["lon"], spot["lat"]))
    return spots[:limit]


def for_display(found: list[dict[str, Any]], shift: bool) -> list[dict[str, Any]]:
    """Points with a case link, shifted to GCJ-02 when the base map needs it."""
    for point in found:
        point["url"] = reverse("cases:detail", args=[point["id"]])
        if shift:
            lon, lat = wgs84_to_gcj02(point["lon"], point["lat"])
            point["lon"], point["lat"] = round(float(lon), 7), round(float(lat), 7)
    return found
