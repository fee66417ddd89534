"""Area pages: the tree the user is responsible for, and one node."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from gridgov.areas.map import FIGURES, MAP_LEVELS, map_features, map_settings
from gridgov.areas.models import Area, AreaLevel
from gridgov.areas.norms import household_flag
from gridgov.areas.services import can_manage_area
from gridgov.core.models import Role, RoleAssignment
from gridgov.core.scoping import get_visible_or_404


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    areas = Area.objects.visible_to(request.user).active().select_related("parent")
    level = request.GET.get("level", "")
    if level in AreaLevel.values:
        areas = areas.filter(level=level)
    query = request.GET.get("q", "").strip()
    if query:
        areas = areas.filter(name__icontains=query) | areas.filter(code__startswith=query)
    page = Paginator(areas.order_by("code"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "areas/area_list.html",
        {"page": page, "levels": AreaLevel.choices, "level": level, "q": query},
    )


@login_required
def area_detail(request: HttpRequest, area_id: int) -> HttpResponse:
    area = get_visible_or_404(Area.objects.select_related("parent"), request.user, pk=area_id)
    children = list(Area.objects.visible_to(request.user).filter(parent=area).active())
    figures = {key: figure.compute([area, *children]) for key, figure in FIGURES.items()}
    own = [
        (figure.label, figures[key][area.pk])
        for key, figure in FIGURES.items()
        if figure.kind == "sequential"
    ]
    households = figures.get("households", {})
    for child in children:
        child.figures = [
            (figure.label, figures[key][child.pk])
            for key, figure in FIGURES.items()
            if figure.kind == "sequential"
        ]
        child.norm_flag = household_flag(child.level, households.get(child.pk, 0))
    people = (
        RoleAssignment.objects.filter(area=area, active=True)
        .exclude(role=Role.RESIDENT)
        .select_related("user")
        .order_by("role", "user__full_name")
    )
    return render(
        request,
        "areas/area_detail.html",
        {
            "area": area,
            "ancestors": area.ancestors(),
            "children": children,
            "figures": own,
            "figure_labels": [f.label for f in FIGURES.values() if f.kind == "sequential"],
            "norm_flag": household_flag(area.level, households.get(area.pk, 0)),
            "people": people,
            "can_manage": can_manage_area(request.user, area),
            "retired": area.retired_at is not None,
        },
    )


def _map_query(request: HttpRequest) -> tuple[str, str, Area | None]:
    level = request.GET.get("level", "")
    if level not in MAP_LEVELS:
        level = AreaLevel.GRID
    figure = request.GET.get("figure", "")
    if figure not in FIGURES:
        figure = next(iter(FIGURES), "")
    within = None
    if request.GET.get("within", "").isdigit():
        within = get_visible_or_404(Area.objects.all(), request.user, pk=int(request.GET["within"]))
    return level, figure, within


def _map_areas(request: HttpRequest, level: str, within: Area | None) -> list[Area]:
    areas = Area.objects.visible_to(request.user).active().filter(level=level)
    if within is not None:
        areas = areas.filter(code__startswith=within.code)
    return list(areas.order_by("code"))


@login_required
def area_map(request: HttpRequest) -> HttpResponse:
    level, figure, within = _map_query(request)
    return render(
        request,
        "areas/map.html",
        {
            "levels": [(value, AreaLevel(value).label) for value in MAP_LEVELS],
            "figures": FIGURES.values(),
            "level": level,
            "figure": FIGURES.get(figure),
            "within": within,
            "map_settings": map_settings(),
        },
    )


@login_required
def area_map_data(request: HttpRequest) -> JsonResponse:
    level, figure, within = _map_query(request)
    areas = _map_areas(request, level, within)
    chosen = FIGURES.get(figure)
    collection = map_features(areas, chosen)
    collection["figure"] = (
        {
            "key": chosen.key,
            "label": str(chosen.label),
            "kind": chosen.kind,
            "categories": [[value, color, str(label)] for value, color, label in chosen.categories],
        }
        if chosen
        else None
    )
    return JsonResponse(collection)
