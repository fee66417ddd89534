"""The cockpit's pages: overview, map, charts and the wall screen (thin: scoping here, figures in
``overview``, ``charts`` and ``places``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from gridgov.areas.models import Area, AreaLevel
from gridgov.cases import kpis
from gridgov.cases.models import Category
from gridgov.cockpit import charts, overview, places
from gridgov.cockpit.figures import Where
from gridgov.core.models import Department
from gridgov.core.scoping import get_visible_or_404, scope_of

MAP_FIGURES = ("open_cases", "overdue_cases", "satisfaction_rate", "risk")
MAX_GRANDCHILDREN = 400


def _require_staff(request: HttpRequest) -> None:
    scope = scope_of(request.user)
    if not (scope.everything or scope.area_codes or scope.department_ids):
        raise PermissionDenied  # residents and unassigned accounts have no cockpit


def place(request: HttpRequest) -> tuple[Area | None, Where]:
    """The area asked for (``?area=code``, 404 outside the user's scope) or the user's own; a
    department's staff without an area see their departments' cases."""
    _require_staff(request)
    scope = scope_of(request.user)
    code = request.GET.get("area")
    if code:
        area = get_visible_or_404(Area.objects.all(), request.user, code=code)
        return area, Where(area.code)
    if scope.everything:
        area = (
            Area.objects.filter(parent__isnull=True, retired_at__isnull=True)
            .order_by("code")
            .first()
        )
        return area, Where(area.code if area else "")
    if scope.area_codes:
        area = Area.objects.filter(code=scope.area_codes[0]).first()
        return area, Where(scope.area_codes[0])
    return None, Where(department_ids=scope.department_ids)


def _trail(request: HttpRequest, area: Area | None) -> list[Area]:
    """The area's ancestors the user may open (drill back up), outermost first, and the area."""
    if area is None:
        return []
    codes = [area.code[:n] for n in range(1, len(area.code))]
    visible = Area.objects.visible_to(request.user).filter(code__in=codes)
    return [*sorted(visible, key=lambda a: len(a.code)), area]


def _children(request: HttpRequest, area: Area | None) -> tuple[list[Area], list[Area]]:
    if area is None:
        return [], []
    visible = Area.objects.visible_to(request.user).filter(retired_at__isnull=True)
    children = list(visible.filter(parent=area).order_by("code"))
    grandchildren = []
    if children and children[0].level != AreaLevel.GRID:
        below = visible.filter(parent__in=children).order_by("code")
        if below.count() <= MAX_GRANDCHILDREN:
            grandchildren = list(below)
    return children, grandchildren


def _department_names(where: Where) -> str:
    if where.department_ids is None:
        return ""
    return "、".join(
        Department.objects.filter(pk__in=where.department_ids).values_list("name", flat=True)
    )


@login_required
@require_GET
def overview_page(request: HttpRequest) -> HttpResponse:
    area, where = place(request)
    children, grandchildren = _children(request, area)
    data = overview.build(area=area, where=where, children=children, grandchildren=grandchildren)
    return render(
        request,
        "cockpit/overview.html",
        {
            "o": data,
            "area": area,
            "trail": _trail(request, area),
            "children": children,
            "departments": _department_names(where),
            "area_query": f"?area={area.code}" if area else "",
            "ranking_keys": [kpis.DEFINITIONS[key] for key in kpis.RANKING_KEYS],
        },
    )


@login_required
@require_GET
def wall_page(request: HttpRequest) -> HttpResponse:
    area, where = place(request)
    return render(
        request,
        "cockpit/wall.html",
        {
            "area": area,
            "departments": _department_names(where),
            "refresh_seconds": getattr(settings, "GRIDGOV_WALL_REFRESH_SECONDS", 30),
            "area_query": f"?area={area.code}" if area else "",
        },
    )


@login_required
@require_GET
def wall_panel(request: HttpRequest) -> HttpResponse:
    """The wall screen's figures, polled by htmx every few seconds."""
    area, where = place(request)
    children, _grand = _children(request, area)
    data = overview.build(area=area, where=where, children=children, people=area is not None)
    return render(request, "cockpit/_wall_panel.html", {"o": data, "area": area})


def _month(request: HttpRequest) -> str:
    month = request.GET.get("month") or kpis.current_month()
    try:
        kpis.month_period(month)
    except ValueError as error:
        raise Http404 from error
    return month


@login_required
@require_GET
def charts_page(request: HttpRequest) -> HttpResponse:
    area, where = place(request)
    month = _month(request)
    now = timezone.now()
    items = [charts.chart(key, where, month, now) for key in charts.CHARTS]
    return render(
        request,
        "cockpit/charts.html",
        {
            "area": area,
            "trail": _trail(request, area),
            "month": month,
            "charts": items,
            "departments": _department_names(where),
            "area_code": area.code if area else "",
            "area_query": f"?area={area.code}" if area else "",
        },
    )


@login_required
@require_GET
def chart_data(request: HttpRequest, key: str) -> JsonResponse:
    _area, where = place(request)
    if key not in charts.CHARTS:
        raise Http404
    return JsonResponse(charts.chart(key, where, _month(request), timezone.now()).as_json())


@login_required
@require_GET
def chart_xlsx(request: HttpRequest, key: str) -> HttpResponse:
    area, where = place(request)
    if key not in charts.CHARTS:
        raise Http404
    month = _month(request)
    item = charts.chart(key, where, month, timezone.now())
    response = HttpResponse(
        charts.to_xlsx(item),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"cockpit-{key}-{area.code if area else 'department'}-{month}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _period(request: HttpRequest) -> tuple[str, datetime.datetime, datetime.datetime]:
    """``?period=today|week|month`` (default month) as local midnights."""
    chosen = request.GET.get("period") or "month"
    periods = overview.Periods.at(timezone.now())
    spans = {"today": periods.today, "week": periods.week, "month": periods.month}
    if chosen not in spans:
        raise Http404
    return chosen, *spans[chosen]


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    from gridgov.areas.map import FIGURES, map_settings

    area, where = place(request)
    chosen, _start, _end = _period(request)
    figure = request.GET.get("figure") or "open_cases"
    if figure not in FIGURES:
        raise Http404
    level = AreaLevel.GRID
    return render(
        request,
        "cockpit/map.html",
        {
            "area": area,
            "trail": _trail(request, area),
            "period": chosen,
            "figure": FIGURES[figure],
            "figures": [FIGURES[key] for key in MAP_FIGURES if key in FIGURES],
            "level": level,
            "category": request.GET.get("category", ""),
            "classes": Category.objects.filter(parent__isnull=True, active=True).order_by("code"),
            "map_settings": map_settings(),
            "departments": _department_names(where),
            "area_query": f"?area={area.code}" if area else "",
        },
    )


@login_required
@require_GET
def map_points(request: HttpRequest) -> JsonResponse:
    _area, where = place(request)
    _chosen, start, end = _period(request)
    category = request.GET.get("category", "")
    if category and not category.isdigit():
        raise Http404
    found = places.points(where, start, end, category_code=category)
    spots = places.hotspots(found)
    shift = getattr(settings, "GRIDGOV_MAP_TILE_CRS", "wgs84") == "gcj02"
    return JsonResponse(
        {
            "points": places.for_display(found, shift),
            "hotspots": _spot_links(spots, shift),
            "capped": len(found) >= places.MAX_POINTS,
        }
    )


def _spot_links(spots: list[dict[str, Any]], shift: bool) -> list[dict[str, Any]]:
    from django.urls import reverse

    from gridgov.areas.geo import wgs84_to_gcj02

    for spot in spots:
        spot["url"] = reverse("cases:detail", args=[spot["cases"][0]])
        spot["area_url"] = reverse("cockpit:overview") + f"?area={spot['area']}"
        if shift:
            lon, lat = wgs84_to_gcj02(spot["lon"], spot["lat"])
            spot["lon"], spot["lat"] = round(float(lon), 7), round(float(lat), 7)
    return spots
