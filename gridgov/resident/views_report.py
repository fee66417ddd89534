"""Reporting a problem from the phone: the form, the category suggestion, open cases nearby
("me too" instead of a second report), and the grid polygons for picking a place on the map."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.areas.geo import CRS
from gridgov.areas.models import Area, AreaLevel
from gridgov.cases.forms import apply_errors
from gridgov.cases.models import Case, Category
from gridgov.core.logging import redact
from gridgov.resident import selectors, services
from gridgov.resident.forms import MeTooForm, ReportForm
from gridgov.resident.suggest import suggest

TITLE_LENGTH = 30


def _title_from(description: str) -> str:
    """A short title from the first line of the description (residents write one text)."""
    first = description.strip().splitlines()[0] if description.strip() else ""
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1] + "…"


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    signed_in = request.user.is_authenticated
    form = ReportForm(request.POST or None, request.FILES or None, signed_in=signed_in)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = data.get("category")
        if category is None:
            best = suggest(data["description"], limit=1)
            category = best[0].category if best else None
        if category is None:
            form.add_error("category", _("Choose what kind of problem it is."))
        else:
            phone = data.get("callback_phone") or ""
            if signed_in and not phone:
                phone = request.user.phone or ""
            try:
                reported = services.resident_report(
                    actor=request.user,
                    category=category,
                    title=_title_from(data["description"]),
                    description=data["description"],
                    lon=data.get("lon"),
                    lat=data.get("lat"),
                    crs=data.get("crs") or CRS.WGS84,
                    address=data.get("address") or "",
                    callback_phone=phone,
                    client_key=data.get("client_key") or None,
                    photos=data["photos"],
                    public=bool(data.get("public")),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                case = reported.case
                if signed_in:
                    messages.success(
                        request,
                        _("Thank you. Your report %(number)s was received.")
                        % {"number": case.number},
                    )
                    return redirect("resident:case", pk=case.pk)
                return redirect("resident:thanks", uid=case.uid)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "resident/report.html",
        {"form": form, "signed_in": signed_in},
        status=status,
    )


@require_GET
def thanks(request: HttpRequest, uid: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.only("number", "uid"), uid=uid)
    return render(request, "resident/thanks.html", {"case": case})


@require_GET
def suggest_category(request: HttpRequest) -> JsonResponse:
    text = (request.GET.get("text") or "")[:2000]
    found = suggest(text)
    return JsonResponse(
        {
            "suggestions": [
                {
                    "id": item.category.pk,
                    "name": item.category.name,
                    "class": item.category.parent.name if item.category.parent else "",
                    "score": item.score,
                }
                for item in found
            ]
        }
    )


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is not a place


@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    """Open cases of the chosen category near the chosen place (an htmx fragment)."""
    lon, lat = _float(request.GET.get("lon")), _float(request.GET.get("lat"))
    crs = request.GET.get("crs") if request.GET.get("crs") in {c.value for c in CRS} else "wgs84"
    category = (
        Category.objects.filter(
            pk=request.GET.get("category") or 0, active=True, parent__isnull=False
        ).first()
        if (request.GET.get("category") or "").isdigit()
        else None
    )
    found = []
    if (
        lon is not None
        and lat is not None
        and category is not None
        and -180 <= lon <= 180
        and -90 <= lat <= 90
    ):
        found = selectors.nearby_open_cases(lon=lon, lat=lat, crs=crs, category=category)
    return render(request, "resident/_nearby.html", {"nearby": found})


def _open_offer(pk: int) -> Case:
    """A case anyone may join with "me too": open, not hidden, not sensitive; else 404."""
    case = (
        Case.objects.select_related("category", "area")
        .filter(pk=pk, hidden=False, category__sensitive=False)
        .first()
    )
    if case is None or not case.is_open:
        raise Http404
    return case


@require_http_methods(["GET", "POST"])
def me_too(request: HttpRequest, pk: int) -> HttpResponse:
    case = _open_offer(pk)
    signed_in = request.user.is_authenticated
    form = MeTooForm(request.POST or None, request.FILES or None)
    if not signed_in:
        form.fields["phone"].required = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_me_too(
                case=case,
                actor=request.user,
                note=data.get("note") or "",
                photos=data["photos"],
                phone=data.get("phone") or "",
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you. You now follow case %(number)s and will hear how it goes.")
                % {"number": case.number},
            )
            if signed_in:
                return redirect("resident:case", pk=case.pk)
            return redirect("resident:thanks", uid=case.uid)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "resident/me_too.html",
        {"case": case, "title": redact(case.title), "form": form, "signed_in": signed_in},
        status=status,
    )


@require_GET
def grids_geojson(request: HttpRequest) -> JsonResponse:
    """The grids' polygons (names only, no figures): the map the resident picks a place on."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": area.name},
            "geometry": area.polygon
            if isinstance(area.polygon, dict)
            else json.loads(area.polygon),
        }
        for area in Area.objects.filter(
            level=AreaLevel.GRID, retired_at__isnull=True, polygon__isnull=False
        ).only("name", "polygon")
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "public, max-age=3600"
    return response
