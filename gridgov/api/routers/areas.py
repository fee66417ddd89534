"""Areas: the place tree as far as the caller's scope reaches."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from gridgov.api.paging import Paging, page
from gridgov.api.schemas import AreaDetailOut, AreaPage, ErrorOut
from gridgov.api.serializers import area_out, area_ref
from gridgov.areas.models import Area, AreaLevel
from gridgov.core.scoping import get_visible_or_404
from gridgov.registry.selectors import area_counts

router = Router(tags=["areas"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
CODE = Path(..., max_length=24, pattern=r"^\d{1,24}$", description="area code")


class AreaFilters(Schema):
    level: AreaLevel | None = Field(None, description="only this level")
    parent: str | None = Field(None, max_length=24, description="children of this area code")
    within: str | None = Field(None, max_length=24, description="anywhere below this area code")
    q: str = Field("", max_length=100, description="part of the name, or the start of the code")
    include_retired: bool = False


def _areas(request: HttpRequest) -> Any:
    return Area.objects.visible_to(request.auth).select_related("parent")


@router.get("/areas", response={200: AreaPage, **ERRORS}, summary="List areas")
def area_list(
    request: HttpRequest, filters: Query[AreaFilters], paging: Query[Paging]
) -> dict[str, Any]:
    areas = _areas(request)
    if not filters.include_retired:
        areas = areas.filter(retired_at__isnull=True)
    if filters.level:
        areas = areas.filter(level=filters.level)
    if filters.parent:
        areas = areas.filter(parent__code=filters.parent)
    if filters.within:
        areas = areas.filter(code__startswith=filters.within)
    query = filters.q.strip()
    if query:
        areas = areas.filter(Q(name__contains=query) | Q(code__startswith=query))
    return page(areas.order_by("code"), paging, area_out)


@router.get("/areas/{code}", response={200: AreaDetailOut, **ERRORS}, summary="One area")
def area_detail(request: HttpRequest, code: str = CODE) -> dict[str, Any]:
    area = get_visible_or_404(_areas(request), request.auth, code=code)
    counts = area_counts([area])[area.pk]
    return {
        **area_out(area),
        "ancestors": [area_ref(a) for a in area.ancestors()],
        "counts": counts,
        "polygon": area.polygon if isinstance(area.polygon, dict) else None,
    }


@router.get(
    "/areas/{code}/children", response={200: AreaPage, **ERRORS}, summary="Children of an area"
)
def area_children(request: HttpRequest, paging: Query[Paging], code: str = CODE) -> dict[str, Any]:
    area = get_visible_or_404(_areas(request), request.auth, code=code)
    children = _areas(request).filter(parent=area, retired_at__isnull=True).order_by("code")
    return page(children, paging, area_out)
