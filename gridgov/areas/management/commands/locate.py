"""``gridgov locate LON LAT [--crs gcj02]``: the finest area holding a point."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from gridgov.areas.geo import CRS
from gridgov.areas.locator import locator


class Command(BaseCommand):
    help = "Find the finest area (grid, micro-grid, building…) that holds a point."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("lon", type=float, help="longitude")
        parser.add_argument("lat", type=float, help="latitude")
        parser.add_argument("--crs", choices=[crs.value for crs in CRS], default=CRS.WGS84.value)
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        location = locator.locate(options["lon"], options["lat"], options["crs"])
        answer = {
            "input_crs": location.input_crs,
            "wgs84": [round(location.lon, 7), round(location.lat, 7)],
            "area": None
            if location.area is None
            else {
                "id": location.area.id,
                "code": location.area.code,
                "name": location.area.name,
                "level": location.area.level,
            },
            "in_grid": location.in_grid,
        }
        if options["json"]:
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
            return
        where = (
            "no grid: the point lies outside every area"
            if location.area is None
            else f"{location.area.code} {location.area.name} ({location.area.level})"
        )
        self.stdout.write(
            f"{where}\n  input {location.input_crs}; WGS-84 {answer['wgs84'][0]}, {answer['wgs84'][1]}"
        )
