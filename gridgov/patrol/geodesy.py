"""Distances along a route on the Earth (WGS-84), for patrol lengths.

Haversine on the mean Earth radius (IUGG, 6,371,008.8 m): within 0.5 % of the ellipsoidal
distance everywhere, far below a phone's GPS error over a walk, vectorised with numpy so that a
patrol of thousands of points costs one pass. Points whose reported accuracy is worse than
``MAX_ACCURACY_M`` are left out of the length: a phone indoors jumps by hundreds of metres and a
grid worker did not walk them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
MAX_ACCURACY_M = 100.0


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """The great-circle distance in metres between two points (degrees)."""
    return float(path_length_m([(lon1, lat1), (lon2, lat2)]))


def path_length_m(points: Sequence[tuple[float, float]]) -> float:
    """The length in metres of the polyline through ``points`` ((lon, lat) in degrees, in order)."""
    if len(points) < 2:
        return 0.0
    coordinates = np.radians(np.asarray(points, dtype=float))
    lon, lat = coordinates[:, 0], coordinates[:, 1]
    d_lon, d_lat = np.diff(lon), np.diff(lat)
    a = np.sin(d_lat / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(d_lon / 2) ** 2
    return float(np.sum(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))))


def counted(accuracy_m: float | None) -> bool:
    """Whether a point is precise enough to count in a route's length."""
    return accuracy_m is None or accuracy_m <= MAX_ACCURACY_M
