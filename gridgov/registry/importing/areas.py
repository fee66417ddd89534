"""Resolving the area of an imported row: by code, or by a name path, within the user's scope.

Each distinct code or path costs one query the first time and is cached for the run: a sheet of
200,000 residents usually names a few dozen grids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gridgov.areas.models import Area
from gridgov.core.scoping import scope_of
from gridgov.registry.importing.columns import normalise_text
from gridgov.registry.importing.labels import PATH_SEPARATORS


@dataclass(frozen=True)
class AreaResult:
    area: Area | None
    error: str = ""


class AreaResolver:
    """``resolve(code, path)`` → the area, or the reason it cannot be used by this user."""

    def __init__(self, user: Any) -> None:
        self.scope = scope_of(user)
        self._by_code: dict[str, AreaResult] = {}
        self._by_path: dict[str, AreaResult] = {}

    def in_scope(self, area: Area) -> bool:
        return self.scope.everything or any(area.code.startswith(c) for c in self.scope.area_codes)

    def _check(self, area: Area | None, shown: str) -> AreaResult:
        if area is None:
            return AreaResult(None, _("No area has the code or name %(area)s.") % {"area": shown})
        if not self.in_scope(area):
            return AreaResult(
                None, _("The area %(area)s is outside the areas you work in.") % {"area": shown}
            )
        if area.retired_at is not None:
            return AreaResult(None, _("The area %(area)s is retired.") % {"area": shown})
        return AreaResult(area)

    def by_code(self, code: str) -> AreaResult:
        code = normalise_text(code).replace(" ", "")
        if code not in self._by_code:
            area = Area.objects.filter(code=code).first() if code.isdigit() else None
            self._by_code[code] = self._check(area, code)
        return self._by_code[code]

    def by_path(self, path: str) -> AreaResult:
        """``和平街道/东湖社区/东湖第一网格``, or a unique name (``东湖第一网格``)."""
        key = normalise_text(path)
        if key in self._by_path:
            return self._by_path[key]
        parts = [key]
        for separator in PATH_SEPARATORS:
            parts = [p for part in parts for p in part.split(separator)]
        parts = [p.strip() for p in parts if p.strip()]
        result = AreaResult(None, _("The area is required."))
        if parts:
            candidates = [
                area
                for area in Area.objects.filter(name=parts[-1], retired_at__isnull=True)
                if self._path_matches(area, parts[:-1])
            ]
            visible = [area for area in candidates if self.in_scope(area)]
            if len(visible) == 1:
                result = AreaResult(visible[0])
            elif len(visible) > 1:
                result = AreaResult(
                    None,
                    _("Several areas are called %(area)s: give the area code instead.")
                    % {"area": key},
                )
            elif candidates:
                result = self._check(candidates[0], key)
            else:
                result = self._check(None, key)
        self._by_path[key] = result
        return result

    @staticmethod
    def _path_matches(area: Area, outer_names: list[str]) -> bool:
        if not outer_names:
            return True
        names = [ancestor.name for ancestor in area.ancestors()]
        position = 0
        for name in names:  # the given names must appear in order among the ancestors
            if position < len(outer_names) and name == outer_names[position]:
                position += 1
        return position == len(outer_names)

    def resolve(self, code: str, path: str) -> AreaResult:
        if code:
            return self.by_code(code)
        if path:
            return self.by_path(path)
        return AreaResult(None, _("The area is required."))
