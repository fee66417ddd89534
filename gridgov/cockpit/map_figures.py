"""The cockpit's figures on the grid map (``gridgov.areas.map``): this month's satisfaction and
response rates, from the rollups."""

from __future__ import annotations

import os

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from gridgov.areas.map import Figure, register_figure
from gridgov.areas.models import Area
from gridgov.areas.rollup import AreaRollup
from gridgov.cases import kpis
from gridgov.cockpit.models import AreaDay


def _rate(numerator: str, denominator: str):
    def compute(areas: list[Area]) -> dict[int, float]:
        result = {area.pk: 0.0 for area in areas}
        if not areas:
            return result
        start, end = kpis.month_period(kpis.current_month())
        prefix = os.path.commonprefix([area.code for area in areas])
        rows = (
            AreaDay.objects.filter(
                day__gte=start.date(), day__lt=end.date(), area_code__startswith=prefix
            )
            .values("area_code")
            .order_by()
            .annotate(n=Sum(numerator), d=Sum(denominator))
            .values_list("area_code", "n", "d")
        )
        rollup = AreaRollup(areas)
        sums = rollup.add(
            ((code, (n or 0, d or 0)) for code, n, d in rows),
            {area.pk: (0, 0) for area in areas},
            combine=lambda total, value: (total[0] + value[0], total[1] + value[1]),
        )
        for pk, (n, d) in sums.items():
            result[pk] = round(100 * n / d, 1) if d else 0.0
        return result

    return compute


def register_figures() -> None:
    register_figure(
        Figure(
            "satisfaction_rate", _("Satisfaction rate this month (%)"), _rate("satisfied", "rated")
        )
    )
    register_figure(
        Figure("response_rate", _("Response rate this month (%)"), _rate("responded", "dispatched"))
    )
