"""Reads of the registry: scoped lists with search and filters, and live counts per area."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, Q, QuerySet

from gridgov.areas.models import Area
from gridgov.areas.rollup import AreaRollup
from gridgov.core.fields import lookup_index
from gridgov.core.identifiers import normalise_id_number, normalise_phone
from gridgov.registry.models import Courtyard, House, Resident

_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
_PHONE = re.compile(r"^(1\d{10}|0\d{9,11})$")


def resident_list(
    user: Any,
    *,
    query: str = "",
    area: Area | None = None,
    tag: str = "",
    residence_type: str = "",
    include_moved_out: bool = False,
) -> QuerySet[Resident]:
    """Residents the user may see. ``query`` is a name, an address, or an exact ID number or
    phone number (matched through the blind index, never by decrypting)."""
    residents = Resident.objects.visible_to(user).select_related("area")
    if not include_moved_out:
        residents = residents.filter(moved_out_at__isnull=True)
    if area is not None:
        residents = residents.filter(area__code__startswith=area.code)
    if tag:
        residents = residents.filter(tags__tag=tag)
    if residence_type:
        residents = residents.filter(residence_type=residence_type)
    query = (query or "").strip()
    if query:
        compact = query.replace(" ", "")
        if _ID_NUMBER.match(compact):
            residents = residents.filter(
                id_number_index=lookup_index(Resident, "id_number", normalise_id_number(compact))
            )
        elif _PHONE.match(normalise_phone(compact).replace("-", "")):
            residents = residents.filter(
                phone_index=lookup_index(Resident, "phone", normalise_phone(compact))
            )
        else:
            residents = residents.filter(Q(name__contains=query) | Q(address__contains=query))
    return residents


def area_counts(areas: list[Area]) -> dict[int, dict[str, int]]:
    """Live counts for each area's subtree: households, residents, courtyards (one query each)."""
    counts: dict[int, dict[str, int]] = {
        area.pk: {"households": 0, "residents": 0, "courtyards": 0} for area in areas
    }
    if not areas:
        return counts
    rollup = AreaRollup(areas)

    def add(rows: QuerySet, key: str) -> None:
        for code, number in rows:
            for area_id in rollup.owners(code):
                counts[area_id][key] += number

    condition = rollup.condition()
    add(
        House.objects.filter(condition)
        .values_list("area__code")
        .annotate(n=Count("id"))
        .values_list("area__code", "n"),
        "households",
    )
    add(
        Resident.objects.filter(condition, moved_out_at__isnull=True)
        .values_list("area__code")
        .annotate(n=Count("id"))
        .values_list("area__code", "n"),
        "residents",
    )
    add(
        Courtyard.objects.filter(condition, retired_at__isnull=True)
        .values_list("area__code")
        .annotate(n=Count("id"))
        .values_list("area__code", "n"),
        "courtyards",
    )
    return counts
