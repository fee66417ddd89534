"""Area pages: the tree the user is responsible for, and one node."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridgov.areas.models import Area, AreaLevel
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
    children = Area.objects.visible_to(request.user).filter(parent=area).active()
    return render(
        request,
        "areas/area_detail.html",
        {"area": area, "ancestors": area.ancestors(), "children": children},
    )
