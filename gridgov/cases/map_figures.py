"""The case loop's figures on the grid map and area pages: open and overdue cases."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.areas.map import Figure, register_figure
from gridgov.areas.models import Area
from gridgov.areas.rollup import AreaRollup
from gridgov.cases.models import OPEN_STATUSES, Case


def _per_area(areas: list[Area], cases) -> dict[int, float]:  # noqa: ANN001
    result = {area.pk: 0 for area in areas}
    if not areas:
        return result
    rollup = AreaRollup(areas)
    rows = (
        cases.filter(rollup.condition())
        .values_list("area__code")
        .annotate(n=Count("id"))
        .values_list("area__code", "n")
    )
    return rollup.add(rows, result)


def open_cases(areas: list[Area]) -> dict[int, float]:
    return _per_area(areas, Case.objects.filter(status__in=OPEN_STATUSES))


def overdue_cases(areas: list[Area]) -> dict[int, float]:
    return _per_area(
        areas,
        Case.objects.filter(
            status__in=["dispatched", "claimed"], resolve_due_at__lt=timezone.now()
        ),
    )


def register_figures() -> None:
    register_figure(Figure("open_cases", _("Open cases"), open_cases))
    register_figure(Figure("overdue_cases", _("Overdue cases"), overdue_cases))
