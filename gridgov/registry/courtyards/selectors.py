"""Reads behind the courtyard pages, every one through the scoping function."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf

from gridgov.areas.models import Area
from gridgov.registry.models import Courtyard, Inspection, InspectionItem, RiskColor

# How many days ahead the due list looks.
DUE_HORIZON_DAYS = 7


def _effective_color() -> Coalesce:
    return Coalesce(
        NullIf(F("risk_override"), Value("")), F("risk_color"), output_field=CharField()
    )


def _severity() -> Case:
    # red 0 … blue 3: sorts the most severe first
    return Case(
        *(When(effective_color=color, then=Value(i)) for i, color in enumerate(RiskColor.values)),
        default=Value(len(RiskColor.values)),
        output_field=IntegerField(),
    )


def courtyard_list(
    user: Any, *, query: str = "", area: Area | None = None, color: str = ""
) -> QuerySet[Courtyard]:
    """Courtyards in the user's areas (not retired), searchable by code, name or address and
    filterable by area subtree and by effective colour (the override if any, else the derived)."""
    courtyards = (
        Courtyard.objects.visible_to(user)
        .filter(retired_at__isnull=True)
        .select_related("area")
        .annotate(effective_color=_effective_color())
    )
    if area is not None:
        courtyards = courtyards.filter(area__code__startswith=area.code)
    if color in RiskColor.values:
        courtyards = courtyards.filter(effective_color=color)
    query = (query or "").strip()
    if query:
        courtyards = courtyards.filter(
            Q(code__startswith=query) | Q(name__contains=query) | Q(address__contains=query)
        )
    return courtyards.order_by("code")


def inspections_due(
    user: Any, *, on: datetime.date, horizon_days: int = DUE_HORIZON_DAYS
) -> QuerySet[Courtyard]:
    """Courtyards in the user's areas never inspected or due within ``horizon_days`` of ``on``:
    never inspected first, then by due date, the most severe colour first on the same day."""
    until = on + datetime.timedelta(days=horizon_days)
    return (
        Courtyard.objects.visible_to(user)
        .filter(retired_at__isnull=True)
        .filter(Q(last_inspected_on__isnull=True) | Q(next_inspection_due__lte=until))
        .select_related("area")
        .annotate(effective_color=_effective_color())
        .annotate(severity=_severity())
        .order_by(F("next_inspection_due").asc(nulls_first=True), "severity", "code")
    )


def _latest_inspection_id(courtyard_path: str) -> Subquery:
    return Subquery(
        Inspection.objects.filter(courtyard=OuterRef(courtyard_path))
        .order_by("-inspected_on", "-id")
        .values("id")[:1]
    )


def overdue_items(user: Any, *, on: datetime.date) -> QuerySet[InspectionItem]:
    """Failed items of the latest inspection of each courtyard in the user's areas, not
    rectified, whose deadline has passed: the oldest deadline first."""
    return (
        InspectionItem.objects.visible_to(user)
        .filter(
            passed=False,
            rectified_on__isnull=True,
            rectify_by__lt=on,
            inspection__courtyard__retired_at__isnull=True,
        )
        .filter(inspection_id=_latest_inspection_id("inspection__courtyard"))
        .select_related("inspection__courtyard__area")
        .order_by("rectify_by", "inspection__courtyard__code", "item")
    )


def courtyard_inspections(courtyard: Courtyard) -> list[Inspection]:
    """The courtyard's inspections, latest first, with their items (two queries); the caller has
    already checked that the courtyard is visible."""
    return list(
        Inspection.objects.filter(courtyard=courtyard)
        .select_related("inspector")
        .prefetch_related("items")
        .order_by("-inspected_on", "-id")
    )


def plate_courtyards(user: Any, area: Area) -> QuerySet[Courtyard]:
    """Courtyards of ``area``'s subtree the user may see, for the bulk plate PDF."""
    return (
        Courtyard.objects.visible_to(user)
        .filter(retired_at__isnull=True, area__code__startswith=area.code)
        .select_related("landlord", "area")
        .order_by("code")
    )
