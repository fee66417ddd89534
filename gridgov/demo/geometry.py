"""Rectangular polygons that tile a street without gaps or overlaps (WGS-84 GeoJSON)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    def geojson(self) -> dict:
        ring = [
            [round(self.west, 7), round(self.south, 7)],
            [round(self.east, 7), round(self.south, 7)],
            [round(self.east, 7), round(self.north, 7)],
            [round(self.west, 7), round(self.north, 7)],
            [round(self.west, 7), round(self.south, 7)],
        ]
        return {"type": "Polygon", "coordinates": [ring]}

    def split_columns(self, count: int) -> Iterator[Box]:
        width = (self.east - self.west) / count
        for index in range(count):
            west = self.west + index * width
            # The last one ends exactly on the edge, so rounding never leaves a sliver.
            east = self.east if index == count - 1 else west + width
            yield Box(west, self.south, east, self.north)

    def split_rows(self, count: int) -> Iterator[Box]:
        height = (self.north - self.south) / count
        for index in range(count):
            south = self.south + index * height
            north = self.north if index == count - 1 else south + height
            yield Box(self.west, south, self.east, north)

    def split(self, count: int) -> list[Box]:
        """``count`` boxes in as square a layout as possible, row by row."""
        rows = max(1, round(count**0.5))
        per_row = [count // rows + (1 if index < count % rows else 0) for index in range(rows)]
        boxes: list[Box] = []
        for row_box, columns in zip(self.split_rows(rows), per_row, strict=True):
            boxes.extend(row_box.split_columns(columns))
        return boxes
