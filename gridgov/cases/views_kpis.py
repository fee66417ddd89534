"""The figures page (``cases:kpis``) and the monthly assessment report downloads.

Thin: scoping through ``visible_to``, figures from ``gridgov.cases.kpis``, files from
``gridgov.cases.reports``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from gridgov.areas.models import Area, AreaLevel
from gridgov.cases import kpis, reports
from gridgov.cases.models import Case
from gridgov.core.models import Department
from gridgov.core.scoping import get_visible_or_404, scope_of


def kpi_url(name: str, **kwargs: object) -> str:
    """``reverse`` of "kpis" or "kpis_report" in the "cases" namespace."""
    return reverse(f"cases:{name}", kwargs=kwargs or None)


def _require_staff(request: HttpRequest) -> None:
    scope = scope_of(request.user)
    if not (scope.everything or scope.area_codes or scope.department_ids):
        raise PermissionDenied  # residents and unassigned accounts have no figures to see


def _month(request: HttpRequest) -> str:
    month = request.GET.get("month") or kpis.current_month()
    try:
        kpis.month_period(month)
    except ValueError as error:
        raise Http404 from error
    return month


def _default_area(request: HttpRequest) -> Area | None:
    scope = scope_of(request.user)
    if scope.everything:
        return (
            Area.objects.filter(level=AreaLevel.STREET, retired_at__isnull=True)
            .order_by("code")
            .first()
        )
    if scope.area_codes:
        return Area.objects.filter(code=scope.area_codes[0]).first()
    return None


@login_required
@require_GET
def kpi_page(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    month = _month(request)
    start, end = kpis.month_period(month)
    code = request.GET.get("area")
    area = (
        get_visible_or_404(Area.objects.all(), request.user, code=code)
        if code
        else _default_area(request)
    )
    cases = Case.objects.visible_to(request.user)
    if area is not None:
        cases = cases.filter(area__code__startswith=area.code)
    figures = kpis.kpis_for(cases, start, end)
    children: list[kpis.Ranked] = []
    departments: list[kpis.Ranked] = []
    if area is not None:
        below = Area.objects.visible_to(request.user).filter(parent=area, retired_at__isnull=True)
        children = kpis.kpis_by_area(cases, list(below.order_by("code")), start, end)
        leads = Department.objects.filter(
            pk__in=cases.filter(assignee_department__isnull=False).values("assignee_department")
        ).order_by("name")
        departments = kpis.kpis_by_department(cases, list(leads), start, end)
    streets: list[Area] = []
    if area is not None:
        if area.level == AreaLevel.STREET:
            streets = [area]
        elif len(area.code) < 9:
            streets = list(
                Area.objects.visible_to(request.user)
                .filter(parent=area, level=AreaLevel.STREET, retired_at__isnull=True)
                .order_by("code")
            )
    rows = [
        {"definition": definition, "figure": figures[key]}
        for key, definition in kpis.DEFINITIONS.items()
    ]
    return render(
        request,
        "cases/kpis/index.html",
        {
            "area": area,
            "month": month,
            "rows": rows,
            "headline": [row for row in rows if row["definition"].key in kpis.RANKING_KEYS],
            "children": children,
            "departments": departments,
            "ranking_keys": [kpis.DEFINITIONS[key] for key in kpis.RANKING_KEYS],
            "reports": [
                {
                    "street": street,
                    "xlsx": kpi_url("kpis_report", street_id=street.pk, month=month, fmt="xlsx"),
                    "pdf": kpi_url("kpis_report", street_id=street.pk, month=month, fmt="pdf"),
                }
                for street in streets
            ],
            "page_url": kpi_url("kpis"),
        },
    )


@login_required
@require_GET
def kpi_report(request: HttpRequest, street_id: int, month: str, fmt: str) -> HttpResponse:
    _require_staff(request)
    street = get_visible_or_404(Area.objects.all(), request.user, pk=street_id)
    if street.level != AreaLevel.STREET:
        raise Http404
    try:
        report = reports.street_report(Case.objects.visible_to(request.user), street, month)
    except ValueError as error:
        raise Http404 from error
    if fmt == "xlsx":
        content = reports.to_xlsx(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = reports.to_pdf(report)
        content_type = "application/pdf"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{reports.filename(report, fmt)}"'
    return response
