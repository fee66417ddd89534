"""Writes of the patrol log: start, add route points, end, link the cases found on the way.

Every function is one transaction and refuses bad input as a whole (ValidationError with a
reason per field or per point): a batch with one bad point stores none of its points, so the
phone can show the reason and nothing is half-written.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gridgov.areas.geo import CRS, to_wgs84
from gridgov.areas.models import Area
from gridgov.cases.models import Case
from gridgov.patrol import geodesy
from gridgov.patrol.models import Patrol, PatrolCase, PatrolPoint
from gridgov.patrol.selectors import worker_grids

MAX_POINTS_PER_BATCH = 500
# A phone's clock may be a little ahead; a point from further in the future is a wrong clock.
CLOCK_SLACK = datetime.timedelta(minutes=5)


class PatrolEnded(ValidationError):
    """The patrol has ended: no more points, no second end."""


@dataclass(frozen=True)
class PointsAdded:
    added: int
    duplicates: int
    outside: int
    patrol: Patrol


# Start and end ---------------------------------------------------------------------------------


def patrol_start(
    *, worker: Any, area: Area | None = None, at: datetime.datetime | None = None
) -> tuple[Patrol, bool]:
    """Start a patrol in one of the worker's grids (the first one by default).

    A worker walks one patrol at a time: with one still open, that one is returned
    (``created=False``) instead of a second, so a double tap never splits a route.
    """
    grids = worker_grids(worker)
    if not grids:
        raise ValidationError(_("Only a grid worker with a grid of their own starts a patrol."))
    if area is None:
        area = grids[0]
    elif area.pk not in {grid.pk for grid in grids}:
        raise ValidationError({"area": [_("Patrol one of your own grids.")]})
    with transaction.atomic():
        existing = Patrol.objects.select_for_update().filter(worker=worker).open().first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                patrol = Patrol.objects.create(
                    worker=worker, area=area, started_at=at or timezone.now()
                )
        except IntegrityError:
            # The same worker started twice at the same instant: the other tap won.
            return Patrol.objects.filter(worker=worker).open().get(), False
    return patrol, True


def patrol_end(*, patrol: Patrol, worker: Any, at: datetime.datetime | None = None) -> Patrol:
    """End the worker's own patrol; a second end is refused and changes nothing."""
    now = at or timezone.now()
    with transaction.atomic():
        fresh = Patrol.objects.select_for_update().get(pk=patrol.pk)
        _own(fresh, worker)
        if fresh.ended_at is not None:
            raise PatrolEnded(_("This patrol has already ended."), code="ended")
        fresh.ended_at = max(now, fresh.started_at)
        fresh.save(update_fields=["ended_at"])
    return fresh


def _own(patrol: Patrol, worker: Any) -> None:
    # The views fetch the patrol among the worker's own; this is the service's own guard.
    if patrol.worker_id != getattr(worker, "pk", None):
        raise ValidationError(_("Only the grid worker who walks a patrol records it."))


# Route points ----------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _moment(value: Any) -> datetime.datetime | None:
    """A point's time: milliseconds since the epoch (what the Geolocation API gives) or ISO 8601."""
    if value is None or value == "":
        return None
    number = _number(value) if not isinstance(value, str) or value.strip().isdigit() else None
    if number is not None:
        try:
            return datetime.datetime.fromtimestamp(number / 1000.0, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed
    return None


def _parse_points(
    raw: Any, patrol: Patrol, now: datetime.datetime
) -> list[tuple[datetime.datetime, float, float, float | None]]:
    if not isinstance(raw, list) or not raw:
        raise ValidationError({"points": [_("Send a list of at least one route point.")]})
    if len(raw) > MAX_POINTS_PER_BATCH:
        raise ValidationError(
            {
                "points": [
                    _("Send at most %(count)d route points at a time.")
                    % {"count": MAX_POINTS_PER_BATCH}
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    parsed = []
    earliest = patrol.started_at - CLOCK_SLACK
    for index, item in enumerate(raw):
        key = f"points.{index}"
        if not isinstance(item, dict):
            errors[key] = [_("A route point has a longitude, a latitude and a time.")]
            continue
        lon, lat = _number(item.get("lon")), _number(item.get("lat"))
        if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            errors[key] = [_("The location is not a longitude and latitude.")]
            continue
        moment = _moment(item.get("t"))
        if moment is None and item.get("t") not in (None, ""):
            errors[key] = [_("The time of the point is not readable.")]
            continue
        moment = moment or now
        if moment < earliest or moment > now + CLOCK_SLACK:
            errors[key] = [_("The time of the point lies outside the patrol.")]
            continue
        accuracy = item.get("accuracy")
        accuracy_m = _number(accuracy) if accuracy not in (None, "") else None
        if accuracy not in (None, "") and (accuracy_m is None or accuracy_m < 0):
            errors[key] = [_("The accuracy is a distance in metres.")]
            continue
        parsed.append((moment, lon, lat, accuracy_m))
    if errors:
        raise ValidationError(errors)
    return parsed


def _inside(area: Area, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which points lie in the grid's polygon (on its edge counts as inside). A grid without a
    polygon cannot tell: its points are not flagged."""
    if not area.polygon:
        return np.ones(len(lon), dtype=bool)
    polygon = area.polygon if isinstance(area.polygon, str) else json.dumps(area.polygon)
    try:
        geometry = shapely.from_geojson(polygon)
    except shapely.errors.GEOSException:
        return np.ones(len(lon), dtype=bool)
    return np.asarray(shapely.intersects_xy(geometry, lon, lat), dtype=bool)


def patrol_points_add(
    *,
    patrol: Patrol,
    worker: Any,
    points: Any,
    crs: str = CRS.WGS84,
    now: datetime.datetime | None = None,
) -> PointsAdded:
    """Add a batch of route points (GCJ-02 converted to WGS-84) to the worker's open patrol.

    A point already stored at the same moment is a retried batch and is skipped, so a phone that
    lost its answer may send the batch again. The patrol's length and counts are brought up to
    date in the same transaction.
    """
    now = now or timezone.now()
    if crs not in {c.value for c in CRS}:
        raise ValidationError({"crs": [_("Coordinates are WGS-84 or GCJ-02.")]})
    with transaction.atomic():
        fresh = Patrol.objects.select_for_update().select_related("area").get(pk=patrol.pk)
        _own(fresh, worker)
        if fresh.ended_at is not None:
            raise PatrolEnded(_("This patrol has already ended."), code="ended")
        parsed = _parse_points(points, fresh, now)
        lon, lat = to_wgs84([p[1] for p in parsed], [p[2] for p in parsed], crs)
        inside = _inside(fresh.area, lon, lat)
        seen = set(fresh.points.values_list("recorded_at", flat=True))
        rows = []
        for position, (moment, _lon, _lat, accuracy) in enumerate(parsed):
            if moment in seen:
                continue
            seen.add(moment)
            rows.append(
                PatrolPoint(
                    patrol=fresh,
                    recorded_at=moment,
                    lon=round(float(lon[position]), 7),
                    lat=round(float(lat[position]), 7),
                    accuracy_m=accuracy,
                    outside_grid=not bool(inside[position]),
                )
            )
        PatrolPoint.objects.bulk_create(rows)
        outside = sum(1 for row in rows if row.outside_grid)
        route = [
            (point_lon, point_lat)
            for point_lon, point_lat, accuracy in fresh.points.order_by(
                "recorded_at", "id"
            ).values_list("lon", "lat", "accuracy_m")
            if geodesy.counted(accuracy)
        ]
        Patrol.objects.filter(pk=fresh.pk).update(
            distance_m=round(geodesy.path_length_m(route), 1),
            point_count=F("point_count") + len(rows),
            outside_count=F("outside_count") + outside,
        )
        fresh.refresh_from_db(fields=["distance_m", "point_count", "outside_count"])
    return PointsAdded(
        added=len(rows), duplicates=len(parsed) - len(rows), outside=outside, patrol=fresh
    )


# Cases found on the way ------------------------------------------------------------------------


def patrol_link_case(*, case: Case, worker: Any) -> PatrolCase | None:
    """Link a case the worker just reported to their open patrol, if they are on one."""
    patrol = Patrol.objects.filter(worker=worker).open().first()
    if patrol is None:
        return None
    link, _created = PatrolCase.objects.get_or_create(case=case, defaults={"patrol": patrol})
    return link
