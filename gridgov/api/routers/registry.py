"""Residents (identifiers masked), houses and courtyards (with their risk colour), as far as the
caller's scope reaches. Searching a resident by an exact ID or phone number goes through the
blind index (the registry's own selector); nothing is decrypted to search."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from gridgov.api.lookups import visible_area
from gridgov.api.paging import Paging, page
from gridgov.api.schemas import (
    MAX_ID,
    CourtyardOut,
    CourtyardPage,
    ErrorOut,
    HouseOut,
    HousePage,
    ResidentDetailOut,
    ResidentPage,
)
from gridgov.api.serializers import courtyard_out, house_out, resident_detail_out, resident_out
from gridgov.core.scoping import get_visible_or_404
from gridgov.registry.courtyards.selectors import courtyard_list as courtyard_selector
from gridgov.registry.models import (
    Courtyard,
    House,
    HouseUse,
    ResidenceType,
    Resident,
    ResidentTagKind,
    RiskColor,
)
from gridgov.registry.selectors import resident_list as resident_selector
from gridgov.registry.services_houses import house_list as house_selector

router = Router(tags=["registry"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
ID = Path(..., ge=1, le=MAX_ID)


class ResidentFilters(Schema):
    q: str = Field(
        "",
        max_length=100,
        description="part of the name or address, or an exact ID number or phone (blind index)",
    )
    area: str | None = Field(None, max_length=24, description="area code: this subtree")
    tag: ResidentTagKind | None = None
    residence_type: ResidenceType | None = None
    include_moved_out: bool = False


@router.get("/residents", response={200: ResidentPage, **ERRORS}, summary="List residents")
def resident_list(
    request: HttpRequest, filters: Query[ResidentFilters], paging: Query[Paging]
) -> dict[str, Any]:
    user = request.auth
    residents = resident_selector(
        user,
        query=filters.q,
        area=visible_area(user, filters.area),
        tag=filters.tag or "",
        residence_type=filters.residence_type or "",
        include_moved_out=filters.include_moved_out,
    ).prefetch_related("tags")
    return page(residents.order_by("name", "id"), paging, resident_out)


@router.get(
    "/residents/{resident_id}", response={200: ResidentDetailOut, **ERRORS}, summary="One resident"
)
def resident_detail(request: HttpRequest, resident_id: int = ID) -> dict[str, Any]:
    resident = get_visible_or_404(
        Resident.objects.select_related("area").prefetch_related("tags", "emergency_contacts"),
        request.auth,
        pk=resident_id,
    )
    return resident_detail_out(resident)


class HouseFilters(Schema):
    q: str = Field("", max_length=100, description="part of the address or the owner's name")
    area: str | None = Field(None, max_length=24)
    use: HouseUse | None = None


@router.get("/houses", response={200: HousePage, **ERRORS}, summary="List houses")
def house_list(
    request: HttpRequest, filters: Query[HouseFilters], paging: Query[Paging]
) -> dict[str, Any]:
    user = request.auth
    houses = house_selector(
        user, query=filters.q, use=filters.use or "", area=visible_area(user, filters.area)
    )
    return page(houses, paging, house_out)


@router.get("/houses/{house_id}", response={200: HouseOut, **ERRORS}, summary="One house")
def house_detail(request: HttpRequest, house_id: int = ID) -> dict[str, Any]:
    houses = House.objects.select_related("area").annotate(
        resident_count=Count("residents", filter=Q(residents__moved_out_at__isnull=True))
    )
    return house_out(get_visible_or_404(houses, request.auth, pk=house_id))


class CourtyardFilters(Schema):
    q: str = Field("", max_length=100, description="start of the code, part of name or address")
    area: str | None = Field(None, max_length=24)
    risk_color: RiskColor | None = Field(None, description="the colour in force")


@router.get("/courtyards", response={200: CourtyardPage, **ERRORS}, summary="List courtyards")
def courtyard_list(
    request: HttpRequest, filters: Query[CourtyardFilters], paging: Query[Paging]
) -> dict[str, Any]:
    user = request.auth
    courtyards = courtyard_selector(
        user, query=filters.q, area=visible_area(user, filters.area), color=filters.risk_color or ""
    ).select_related("landlord")
    return page(courtyards, paging, courtyard_out)


@router.get(
    "/courtyards/{courtyard_id}", response={200: CourtyardOut, **ERRORS}, summary="One courtyard"
)
def courtyard_detail(request: HttpRequest, courtyard_id: int = ID) -> dict[str, Any]:
    courtyard = get_visible_or_404(
        Courtyard.objects.select_related("area", "landlord"), request.auth, pk=courtyard_id
    )
    return courtyard_out(courtyard)
