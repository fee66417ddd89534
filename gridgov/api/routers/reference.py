"""The caller, the case taxonomy, figures (KPIs) and file downloads."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import Path, Query, Router, Schema
from pydantic import Field

from gridgov.api.errors import ApiError
from gridgov.api.lookups import field_error
from gridgov.api.schemas import CategoryOut, ErrorOut, KpisOut, MeOut
from gridgov.api.serializers import area_ref, category_out
from gridgov.areas.models import Area, AreaLevel
from gridgov.cases import kpis
from gridgov.cases.models import Case, Category
from gridgov.core.models import RoleAssignment, StoredFile
from gridgov.core.scoping import get_visible_or_404, scope_of
from gridgov.core.views.files import file_response

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
FILE_ID = Path(...)
NO_FIGURES = _("Figures are for staff with areas or departments.")
BAD_MONTH = _("A month is written YYYY-MM.")
NO_AREA = _("Name an area: your account has no area of its own.")


@router.get(
    "/ping",
    auth=None,
    response={200: dict[str, bool]},
    tags=["me"],
    summary="Is the API up (no sign-in, no database work)",
)
def ping(request: HttpRequest) -> dict[str, bool]:
    # Also the "no-op endpoint of the same server" that intake benchmarks compare against.
    return {"ok": True}


@router.get("/me", response={200: MeOut, 401: ErrorOut}, tags=["me"], summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.auth
    roles = RoleAssignment.objects.filter(user=user, active=True).select_related("area")
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "roles": [
            {
                "role": row.role,
                "area_code": row.area.code if row.area_id else None,
                "department_id": row.department_id,
            }
            for row in roles
        ],
        "sees_everything": scope_of(user).everything,
        "language": get_language(),
    }


@router.get(
    "/categories",
    response={200: list[CategoryOut], 401: ErrorOut, 422: ErrorOut},
    tags=["categories"],
    summary="The case taxonomy: classes with their subcategories and deadlines",
)
def category_tree(request: HttpRequest, include_inactive: bool = False) -> list[dict[str, Any]]:
    # The taxonomy is the same for everyone (not scoped data): every caller may read it.
    rows = Category.objects.order_by("order", "code")
    if not include_inactive:
        rows = rows.filter(active=True)
    children: dict[int, list[Category]] = {}
    classes = []
    for row in rows:
        if row.parent_id is None:
            classes.append(row)
        else:
            children.setdefault(row.parent_id, []).append(row)
    return [category_out(row, children.get(row.pk, [])) for row in classes]


class KpiQuery(Schema):
    area: str | None = Field(
        None, max_length=24, description="area code (default: your own area, or the first street)"
    )
    month: str | None = Field(None, max_length=7, description="YYYY-MM (default: this month)")


@router.get("/kpis", response={200: KpisOut, **ERRORS}, tags=["kpis"], summary="Figures")
def kpi_figures(request: HttpRequest, query: Query[KpiQuery]) -> dict[str, Any]:
    user = request.auth
    scope = scope_of(user)
    if not (scope.everything or scope.area_codes):
        raise ApiError(403, "permission_denied", NO_FIGURES)
    try:
        start, end = kpis.month_period(query.month or kpis.current_month())
    except ValueError as error:
        raise field_error("month", BAD_MONTH) from error
    if query.area:
        area = get_visible_or_404(Area.objects.all(), user, code=query.area)
    elif scope.everything:
        area = Area.objects.filter(level=AreaLevel.STREET, retired_at__isnull=True).first()
    else:
        area = Area.objects.filter(code=scope.area_codes[0]).first()
    if area is None:
        raise field_error("area", NO_AREA)
    cases = Case.objects.visible_to(user).filter(area__code__startswith=area.code)
    figures = kpis.kpis_for(cases, start, end)
    return {
        "area": area_ref(area),
        "period_start": start,
        "period_end": end,
        "figures": [
            _figure(key, definition, figures[key]) for key, definition in kpis.DEFINITIONS.items()
        ],
    }


def _figure(key: str, definition: Any, figure: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "key": key,
        "label": str(definition.label),
        "kind": definition.kind,
        "value": figure.value,
        "text": str(figure),
    }
    if isinstance(figure, kpis.Rate):
        row.update(numerator=figure.numerator, denominator=figure.denominator)
    elif isinstance(figure, kpis.Hours):
        row["count"] = figure.count
    return row


@router.get(
    "/files/{file_id}",
    response={200: None, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="file_download",
    tags=["files"],
    summary="Download a photo or file",
)
def file_download(request: HttpRequest, file_id: uuid.UUID = FILE_ID) -> HttpResponse:
    stored = get_visible_or_404(StoredFile.objects.all(), request.auth, pk=file_id)
    return file_response(stored)
