"""Size norms of grids and micro-grids: the usual 300–500 households a grid and 50–80 a micro-grid
(configurable). An area outside its norm is flagged for the street to look at, never refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from gridgov.areas.models import AreaLevel


@dataclass(frozen=True)
class NormFlag:
    code: str  # "below" or "above"
    message: str


def household_norm(level: str) -> tuple[int, int] | None:
    norms = {
        AreaLevel.GRID: getattr(settings, "GRIDGOV_GRID_HOUSEHOLDS", (300, 500)),
        AreaLevel.MICRO_GRID: getattr(settings, "GRIDGOV_MICRO_GRID_HOUSEHOLDS", (50, 80)),
    }
    return norms.get(AreaLevel(level)) if level in AreaLevel.values else None


def household_flag(level: str, households: int) -> NormFlag | None:
    norm = household_norm(level)
    if norm is None:
        return None
    low, high = norm
    if households < low:
        return NormFlag(
            "below",
            _("%(n)d households: fewer than the norm of %(low)d–%(high)d.")
            % {"n": households, "low": low, "high": high},
        )
    if households > high:
        return NormFlag(
            "above",
            _("%(n)d households: more than the norm of %(low)d–%(high)d.")
            % {"n": households, "low": low, "high": high},
        )
    return None
