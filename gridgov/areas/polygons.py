"""Rules for an area's polygon: valid geometry, inside its parent, not overlapping its siblings.

Real grid maps are drawn by hand, so boundaries never match to the centimetre: both rules allow a
tolerance (a share of the polygon's own area, ``GRIDGOV_POLYGON_TOLERANCE``, 1 % by default).
Errors say what is wrong in words a street's GIS clerk understands.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

ALLOWED_TYPES = ("Polygon", "MultiPolygon")


def tolerance() -> float:
    return float(getattr(settings, "GRIDGOV_POLYGON_TOLERANCE", 0.01))


def parse_polygon(value: Any) -> BaseGeometry:
    """GeoJSON (dict or text, a geometry or a Feature) → a valid shapely polygon, or ValidationError."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValidationError(_("The polygon is not valid GeoJSON text.")) from error
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in ALLOWED_TYPES:
        raise ValidationError(_("The polygon must be a GeoJSON Polygon or MultiPolygon."))
    try:
        geometry = shapely.from_geojson(json.dumps(value))
    except (shapely.errors.GEOSException, ValueError, TypeError) as error:
        raise ValidationError(_("The polygon's coordinates cannot be read.")) from error
    if geometry.is_empty:
        raise ValidationError(_("The polygon is empty."))
    bounds = geometry.bounds
    if bounds[0] < -180 or bounds[2] > 180 or bounds[1] < -90 or bounds[3] > 90:
        raise ValidationError(
            _("The polygon's coordinates are not longitude and latitude in degrees (WGS-84).")
        )
    if not geometry.is_valid:
        raise ValidationError(
            _("The polygon is not a valid shape (%(reason)s).")
            % {"reason": shapely.is_valid_reason(geometry)}
        )
    if geometry.area == 0:
        raise ValidationError(_("The polygon is empty."))
    return geometry


def check_polygon(
    geometry: BaseGeometry,
    *,
    parent: BaseGeometry | None,
    parent_name: str = "",
    siblings: Iterable[tuple[str, BaseGeometry]] = (),
) -> None:
    """Raise ValidationError if ``geometry`` leaves its parent or overlaps a sibling too much."""
    allowed = tolerance() * geometry.area
    if parent is not None:
        outside = geometry.difference(parent).area
        if outside > allowed:
            raise ValidationError(
                _(
                    "The polygon extends outside its parent %(parent)s "
                    "(%(share).1f%% of it lies outside)."
                )
                % {"parent": parent_name, "share": 100 * outside / geometry.area}
            )
    for name, sibling in siblings:
        if not geometry.intersects(sibling):
            continue
        overlap = geometry.intersection(sibling).area
        if overlap > allowed:
            raise ValidationError(
                _("The polygon overlaps %(sibling)s (%(share).1f%% of it).")
                % {"sibling": name, "share": 100 * overlap / geometry.area}
            )


def normalised_geojson(geometry: BaseGeometry) -> dict:
    """What we store: GeoJSON geometry, coordinates rounded to 7 decimals (about 1 cm)."""
    return json.loads(shapely.to_geojson(shapely.set_precision(geometry, 1e-7)))
