"""The registry's figures on the grid map: people, households, courtyards, courtyard risk."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridgov.areas.map import Figure, register_figure
from gridgov.areas.models import Area
from gridgov.areas.rollup import AreaRollup
from gridgov.registry.models import Courtyard, RiskColor
from gridgov.registry.selectors import area_counts

# Worst colour first: the map shows the worst courtyard of each area.
RISK_RANK = {RiskColor.RED: 4, RiskColor.ORANGE: 3, RiskColor.YELLOW: 2, RiskColor.BLUE: 1}
RISK_CATEGORIES = (
    (4, "#d7301f", RiskColor.RED.label),
    (3, "#fc8d59", RiskColor.ORANGE.label),
    (2, "#fdd835", RiskColor.YELLOW.label),
    (1, "#4a90d9", RiskColor.BLUE.label),
    (0, "#e8ecf1", _("No courtyards")),
)


def _count(key: str):
    def compute(areas: list[Area]) -> dict[int, float]:
        return {area_id: values[key] for area_id, values in area_counts(areas).items()}

    return compute


def worst_risk(areas: list[Area]) -> dict[int, float]:
    result = {area.pk: 0 for area in areas}
    if not areas:
        return result
    rollup = AreaRollup(areas)
    rows = Courtyard.objects.filter(rollup.condition(), retired_at__isnull=True).values_list(
        "area__code", "risk_color", "risk_override"
    )
    ranked = ((code, RISK_RANK.get(override or derived, 0)) for code, derived, override in rows)
    return rollup.add(ranked, result, combine=max)


def register_figures() -> None:
    register_figure(Figure("residents", _("Residents"), _count("residents")))
    register_figure(Figure("households", _("Households"), _count("households")))
    register_figure(Figure("courtyards", _("Courtyards"), _count("courtyards")))
    register_figure(
        Figure(
            "risk",
            _("Courtyard risk (worst)"),
            worst_risk,
            kind="categorical",
            categories=RISK_CATEGORIES,
        )
    )
