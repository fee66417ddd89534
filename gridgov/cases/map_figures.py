"""The case loop's figures on the grid map and area pages: open and overdue cases."""

from __future__ import annotations

import os

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.areas.map import Figure, register_figure
from gridgov.areas.models import Area
from gridgov.cases.models import OPEN_STATUSES, Case


def _per_area(areas: list[Area], cases) -> dict[int, float]:  # noqa: ANN001
    result = {area.pk: 0 for area in areas}
    if not areas:
        return result
    by_code = {area.code: area.pk for area in areas}
    lengths = sorted({len(code) for code in by_code})
    rows = (
        cases.filter(area__code__startswith=os.path.commonprefix(list(by_code)))
        .values_list("area__code")
        .annotate(n=Count("id"))
        .values_list("area__code", "n")
    )
    for code, number in rows:
        for length in lengths:
            area_id = by_code.get(code[:length])
            if area_id is not None:
                result[area_id] += number
    return result


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
