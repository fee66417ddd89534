"""The grid map's data: the polygons of one level in the user's scope, labelled and measured.

Figures are providers registered by domain apps (the registry adds residents, households,
courtyards and risk; the case loop will add open cases), so the map never needs to know them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise

from gridgov.areas.geo import wgs84_to_gcj02
from gridgov.areas.models import Area, AreaLevel
from gridgov.core.models import Role, RoleAssignment

# Who is named as the leader of a node, by level.
LEADER_ROLE = {
    AreaLevel.STREET: Role.STREET_OFFICER,
    AreaLevel.COMMUNITY: Role.COMMUNITY_SECRETARY,
    AreaLevel.GRID: Role.GRID_LEADER,
    AreaLevel.MICRO_GRID: Role.BUILDING_LEADER,
    AreaLevel.BUILDING: Role.BUILDING_LEADER,
}
MAP_LEVELS = (AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID, AreaLevel.MICRO_GRID)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    compute: Callable[[list[Area]], dict[int, float]]
    # "sequential" figures are coloured by quantiles; "categorical" by a fixed palette.
    kind: str = "sequential"
    categories: tuple[tuple[float, str, str | Promise], ...] = ()


FIGURES: dict[str, Figure] = {}


def register_figure(figure: Figure) -> None:
    FIGURES[figure.key] = figure


def leaders(areas: list[Area]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {area.pk: [] for area in areas}
    wanted = {(area.pk, LEADER_ROLE.get(AreaLevel(area.level))) for area in areas}
    rows = RoleAssignment.objects.filter(
        area__in=areas, active=True, role__in={role for _pk, role in wanted if role}
    ).values_list("area_id", "role", "user__full_name", "user__username")
    for area_id, role, full_name, username in rows:
        if (area_id, role) in wanted:
            names[area_id].append(full_name or username)
    return names


def _to_display_crs(geometry: dict) -> dict:
    """Our polygons are WGS-84; GCJ-02 base maps (高德) need them shifted the same way."""
    if getattr(settings, "GRIDGOV_MAP_TILE_CRS", "wgs84") != "gcj02":
        return geometry

    def shift(ring: list) -> list:
        coordinates = np.asarray(ring, dtype=float)
        lon, lat = wgs84_to_gcj02(coordinates[:, 0], coordinates[:, 1])
        return np.column_stack([lon, lat]).round(7).tolist()

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [shift(r) for r in geometry["coordinates"]]}
    return {
        "type": "MultiPolygon",
        "coordinates": [[shift(r) for r in polygon] for polygon in geometry["coordinates"]],
    }


def map_features(areas: list[Area], figure: Figure | None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``areas`` with label fields and the figure's value."""
    values = figure.compute(areas) if figure else {}
    names = leaders(areas)
    features = []
    for area in areas:
        if not area.polygon:
            continue
        polygon = area.polygon if isinstance(area.polygon, dict) else json.loads(area.polygon)
        features.append(
            {
                "type": "Feature",
                "geometry": _to_display_crs(polygon),
                "properties": {
                    "id": area.pk,
                    "code": area.code,
                    "name": area.name,
                    "level": area.level,
                    "leader": "、".join(names.get(area.pk, [])),
                    "value": values.get(area.pk, 0),
                    "url": reverse("areas:detail", args=[area.pk]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def map_settings() -> dict[str, Any]:
    """What the page's script needs to know about the base map (none by default: an intranet)."""
    return {
        "tileUrl": getattr(settings, "GRIDGOV_MAP_TILE_URL", "") or "",
        "tileAttribution": getattr(settings, "GRIDGOV_MAP_TILE_ATTRIBUTION", "") or "",
        "tileSubdomains": getattr(settings, "GRIDGOV_MAP_TILE_SUBDOMAINS", "") or "",
    }
