"""Point → finest area containing it, one at a time or vectorised in bulk.

An in-memory STRtree over every active area that has a polygon. Each process keeps one and checks,
at most once per ``RECHECK_SECONDS``, a cheap fingerprint of the polygons (count and latest change);
an edit through the area services also drops the local copy at once. A point outside every polygon
is an answer (``area is None``), not an error.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Count, Max
from numpy.typing import ArrayLike, NDArray

from gridgov.areas.geo import CRS, to_wgs84
from gridgov.areas.models import LEVEL_ORDER, Area, AreaLevel

RECHECK_SECONDS = 2.0
NOT_FOUND = -1


@dataclass(frozen=True)
class LocatedArea:
    id: int
    code: str
    name: str
    level: str


@dataclass(frozen=True)
class Location:
    """The answer for one point: where it is (WGS-84), which CRS it came in, and its finest area."""

    lon: float
    lat: float
    input_crs: str
    area: LocatedArea | None

    @property
    def in_grid(self) -> bool:
        return self.area is not None and LEVEL_ORDER.index(
            AreaLevel(self.area.level)
        ) >= LEVEL_ORDER.index(AreaLevel.GRID)


class SpatialIndex:
    """The polygons of one fingerprint: one STRtree per level, searched finest level first.

    A point inside a grid never needs its community's polygon, so the coarser trees only see the
    points the finer ones did not place: most points cost one tree query.
    """

    def __init__(self, areas: list[tuple[int, str, str, str, dict]]) -> None:
        kept: list[tuple[int, str, str, str]] = []
        geometries = []
        for area_id, code, name, level, polygon in areas:
            try:
                geometry = shapely.from_geojson(_as_json(polygon))
            except shapely.errors.GEOSException:
                continue  # an invalid polygon never got past validation; old data is skipped
            if geometry.is_empty:
                continue
            geometries.append(geometry)
            kept.append((area_id, code, name, level))
        self.areas = [LocatedArea(*row) for row in kept]
        self.by_code = {area.code: area for area in self.areas}
        self.by_id = {area.id: area for area in self.areas}
        self.ids = np.array([row[0] for row in kept], dtype=np.int64)
        ranks = np.array([LEVEL_ORDER.index(AreaLevel(row[3])) for row in kept], dtype=np.int64)
        all_geometries = np.array(geometries, dtype=object)
        # (tree, positions in self.areas) for each level present, finest first.
        self.levels: list[tuple[shapely.STRtree, NDArray[np.int64]]] = []
        for rank in sorted(set(ranks.tolist()), reverse=True):
            positions = np.flatnonzero(ranks == rank)
            self.levels.append((shapely.STRtree(all_geometries[positions]), positions))

    def locate_index(self, lon: float, lat: float) -> int:
        """``locate_indexes`` for one point, without arrays: a report locates one point, where the
        arrays' set-up cost more than the search."""
        point = shapely.Point(lon, lat)
        for tree, positions in self.levels:
            found = tree.query(point, predicate="intersects")
            if len(found):
                # The tree answers in the order the bulk query uses: its first is the same area.
                return int(positions[found[0]])
        return NOT_FOUND

    def locate_indexes(self, lon: NDArray, lat: NDArray) -> NDArray[np.int64]:
        """Index into ``self.areas`` of the finest area holding each point, or NOT_FOUND."""
        result = np.full(len(lon), NOT_FOUND, dtype=np.int64)
        if not self.levels or len(lon) == 0:
            return result
        points = shapely.points(lon, lat)
        waiting = np.arange(len(points))
        for tree, positions in self.levels:
            point_index, tree_index = tree.query(points[waiting], predicate="intersects")
            if len(point_index):
                # A point on a shared boundary touches two siblings: the first one wins.
                # STRtree answers in input order, so "first" is a comparison with the previous
                # row (linear), not np.unique's sort.
                first_row = np.flatnonzero(np.r_[True, point_index[1:] != point_index[:-1]])
                first_point = point_index[first_row]
                result[waiting[first_point]] = positions[tree_index[first_row]]
                placed = np.zeros(len(waiting), dtype=bool)
                placed[first_point] = True
                waiting = waiting[~placed]
            if len(waiting) == 0:
                break
        return result


def _as_json(polygon: dict | str) -> str:
    import json

    return polygon if isinstance(polygon, str) else json.dumps(polygon)


class Locator:
    """The process-wide locator; thread-safe; rebuilt when the polygons change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: SpatialIndex | None = None
        self._fingerprint: tuple | None = None
        self._checked_at = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._index = None
            self._fingerprint = None

    @staticmethod
    def _current_fingerprint() -> tuple:
        stats = Area.objects.filter(polygon__isnull=False, retired_at__isnull=True).aggregate(
            count=Count("id"), changed=Max("updated_at")
        )
        return (stats["count"], stats["changed"])

    def index(self) -> SpatialIndex:
        now = time.monotonic()
        with self._lock:
            if self._index is not None and now - self._checked_at < RECHECK_SECONDS:
                return self._index
            fingerprint = self._current_fingerprint()
            if self._index is None or fingerprint != self._fingerprint:
                rows = list(
                    Area.objects.filter(polygon__isnull=False, retired_at__isnull=True).values_list(
                        "id", "code", "name", "level", "polygon"
                    )
                )
                self._index = SpatialIndex(rows)
                self._fingerprint = fingerprint
            self._checked_at = now
            return self._index

    def locate(self, lon: float, lat: float, crs: CRS | str = CRS.WGS84) -> Location:
        crs = CRS(crs)
        if crs is CRS.WGS84:
            wgs_lon, wgs_lat = float(lon), float(lat)
        else:
            lons, lats = to_wgs84([lon], [lat], crs)
            wgs_lon, wgs_lat = float(lons[0]), float(lats[0])
        index = self.index()
        found = index.locate_index(wgs_lon, wgs_lat)
        return Location(
            lon=wgs_lon,
            lat=wgs_lat,
            input_crs=crs.value,
            area=index.areas[found] if found != NOT_FOUND else None,
        )

    def locate_many(
        self, lon: ArrayLike, lat: ArrayLike, crs: CRS | str = CRS.WGS84
    ) -> NDArray[np.int64]:
        """Area id of the finest area for each point, NOT_FOUND (-1) where none holds it."""
        wgs_lon, wgs_lat = to_wgs84(lon, lat, crs)
        index = self.index()
        found = index.locate_indexes(np.asarray(wgs_lon), np.asarray(wgs_lat))
        ids = np.full(len(found), NOT_FOUND, dtype=np.int64)
        hit = found != NOT_FOUND
        ids[hit] = index.ids[found[hit]]
        return ids


def cached_area(*, pk: int | None = None, code: str | None = None) -> Area | None:
    """The live area with this id or code as the locator holds it (no query), or None when the
    locator does not hold it (no polygon, or retired). Only id, code, name and level are loaded;
    any other field is read from the database on first use."""
    index = locator.index()
    found = index.by_id.get(pk) if pk is not None else index.by_code.get(code or "")
    if found is None:
        return None
    known = {"id": found.id, "code": found.code, "name": found.name, "level": found.level}
    # from_db takes the values in the model's field order, whatever the names' order.
    names = [f.attname for f in Area._meta.concrete_fields if f.attname in known]
    return Area.from_db(Area.objects.db, names, [known[name] for name in names])


locator = Locator()
