"""Adding figures of rows up to the areas that contain them, by code prefix.

Rows are counted per their own (finest) area; each listed area whose code is a prefix of a row's
area code receives it. One LIKE on the listed areas' common prefix keeps the SQL to one condition
however many areas are listed; the per-row work is a dict look-up per listed code length.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q

from gridgov.areas.models import Area


class AreaRollup:
    def __init__(self, areas: list[Area], path: str = "area") -> None:
        self.by_code = {area.code: area.pk for area in areas}
        self.lengths = sorted({len(code) for code in self.by_code})
        self.path = path

    def condition(self) -> Q:
        """Rows under any listed area (and perhaps some siblings, which ``owners`` drops)."""
        return Q(**{f"{self.path}__code__startswith": os.path.commonprefix(list(self.by_code))})

    def owners(self, code: str) -> Iterable[int]:
        """The listed areas that contain an area of this code."""
        for length in self.lengths:
            area_id = self.by_code.get(code[:length])
            if area_id is not None:
                yield area_id

    def add(
        self,
        rows: Iterable[tuple[str, Any]],
        into: dict[int, Any],
        combine: Callable[[Any, Any], Any] = lambda total, value: total + value,
    ) -> dict[int, Any]:
        for code, value in rows:
            for area_id in self.owners(code):
                into[area_id] = combine(into[area_id], value)
        return into
