"""Courtyard pages (星级院落 · 四色管控): list, detail, inspections due, the inspection form, the
small action forms of the detail page, and the plate PDFs.

Thin: parse the form, call the service, redirect with a message. A service's ValidationError goes
back onto the form (nothing was changed); a PermissionDenied becomes the 403 page. Every read goes
through the scoping function: a courtyard outside the user's areas is a 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.areas.models import Area, AreaLevel
from gridgov.core.masking import mask_name
from gridgov.core.models import STAFF_ROLES
from gridgov.core.scoping import get_visible_or_404, scope_of
from gridgov.registry.courtyards import checklist, plates, selectors, services
from gridgov.registry.courtyards.forms import (
    InspectionForm,
    RateForm,
    RectifyForm,
    RiskOverrideForm,
    add_service_errors,
)
from gridgov.registry.models import Courtyard, InspectionItem, RiskColor
from gridgov.registry.services import can_write_registry

PAGE_SIZE = 50
OVERDUE_ITEMS_SHOWN = 100
# Levels offered in the area filter (finer levels would make the list too long to be useful).
FILTER_LEVELS = (AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID, AreaLevel.MICRO_GRID)


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and holding a staff role: residents have their own phone pages."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scope = scope_of(request.user)
        if not (scope.everything or scope.roles & STAFF_ROLES):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _courtyard(request: HttpRequest, pk: int) -> Courtyard:
    return get_visible_or_404(
        Courtyard.objects.select_related("area", "landlord"), request.user, pk=pk
    )


# --- lists ----------------------------------------------------------------------------------------


@require_GET
@staff_required
def courtyard_list(request: HttpRequest) -> HttpResponse:
    areas = list(
        Area.objects.visible_to(request.user)
        .active()
        .filter(level__in=FILTER_LEVELS)
        .order_by("code")
        .only("pk", "code", "name", "level")
    )
    area = next((a for a in areas if str(a.pk) == request.GET.get("area", "")), None)
    color = request.GET.get("color", "")
    color = color if color in RiskColor.values else ""
    query = request.GET.get("q", "").strip()
    courtyards = selectors.courtyard_list(request.user, query=query, area=area, color=color)
    page = Paginator(courtyards, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/courtyards/courtyard_list.html",
        {
            "page": page,
            "areas": areas,
            "area": area,
            "color": color,
            "colors": RiskColor.choices,
            "q": query,
        },
    )


@require_GET
@staff_required
def inspection_due(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page = Paginator(selectors.inspections_due(request.user, on=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    overdue = selectors.overdue_items(request.user, on=today)
    overdue_count = overdue.count()
    overdue_rows = [
        {
            "item": item,
            "label": checklist.label_for(item.item),
            "severe": checklist.is_severe(item.item),
            "days_late": (today - item.rectify_by).days,
        }
        for item in overdue[:OVERDUE_ITEMS_SHOWN]
    ]
    rows = []
    for courtyard in page:
        due = courtyard.next_inspection_due
        days = (due - today).days if due else None
        rows.append({"courtyard": courtyard, "days": days, "late": -days if days else 0})
    return render(
        request,
        "registry/courtyards/inspection_due.html",
        {
            "page": page,
            "rows": rows,
            "overdue_rows": overdue_rows,
            "overdue_count": overdue_count,
            "overdue_more": max(overdue_count - OVERDUE_ITEMS_SHOWN, 0),
            "horizon_days": selectors.DUE_HORIZON_DAYS,
            "today": today,
        },
    )


# --- detail and its actions -----------------------------------------------------------------------


def _render_detail(
    request: HttpRequest, courtyard: Courtyard, *, status: int = 200, **forms: Any
) -> HttpResponse:
    today = timezone.localdate()
    writer = can_write_registry(request.user, courtyard.area)
    inspections = selectors.courtyard_inspections(courtyard)
    latest_id = inspections[0].pk if inspections else None
    history = []
    for inspection in inspections:
        items = []
        for item in sorted(inspection.items.all(), key=lambda i: _checklist_position(i.item)):
            items.append(
                {
                    "item": item,
                    "label": checklist.label_for(item.item),
                    "severe": checklist.is_severe(item.item),
                    "state": _item_state(item, latest=inspection.pk == latest_id, today=today),
                    "rectify_form": forms.get("rectify_forms", {}).get(item.pk)
                    or RectifyForm(prefix=f"item{item.pk}"),
                }
            )
        history.append({"inspection": inspection, "items": items})
    override_form = forms.get("override_form") or RiskOverrideForm(
        initial={"color": courtyard.risk_override, "reason": courtyard.risk_override_reason}
    )
    rate_form = forms.get("rate_form") or RateForm(initial={"stars": courtyard.star_rating})
    return render(
        request,
        "registry/courtyards/courtyard_detail.html",
        {
            "courtyard": courtyard,
            "ancestors": courtyard.area.ancestors(),
            "landlord_name": mask_name(courtyard.landlord.name) if courtyard.landlord else "",
            "assessment": services.risk_assessment(courtyard, on=today),
            "history": history,
            "writer": writer,
            "override_form": override_form,
            "rate_form": rate_form,
            "today": today,
            "stars": range(1, 6),
        },
        status=status,
    )


def _checklist_position(code: str) -> int:
    return checklist.CODES.index(code) if code in checklist.CODES else len(checklist.CODES)


def _item_state(item: InspectionItem, *, latest: bool, today: Any) -> str:
    """passed · rectified · open · overdue · superseded (failed on an earlier inspection and
    checked again since)."""
    if item.passed:
        return "passed"
    if item.rectified_on:
        return "rectified"
    if not latest:
        return "superseded"
    if item.rectify_by and item.rectify_by < today:
        return "overdue"
    return "open"


@require_GET
@staff_required
def courtyard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _courtyard(request, pk))


@staff_required
def inspection_create(request: HttpRequest, pk: int) -> HttpResponse:
    courtyard = _courtyard(request, pk)
    if not can_write_registry(request.user, courtyard.area):
        raise PermissionDenied
    form = InspectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_record(
                actor=request.user,
                courtyard=courtyard,
                inspected_on=form.cleaned_data["inspected_on"],
                results=form.results(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error, form.service_field_names())
        else:
            messages.success(request, _("The inspection is recorded."))
            return redirect("registry:courtyard_detail", pk=courtyard.pk)
    return render(
        request,
        "registry/courtyards/inspection_form.html",
        {"courtyard": courtyard, "form": form},
    )


@require_POST
@staff_required
def item_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(
        InspectionItem.objects.select_related("inspection__courtyard"), request.user, pk=pk
    )
    courtyard = _courtyard(request, item.inspection.courtyard_id)
    form = RectifyForm(request.POST, prefix=f"item{item.pk}")
    if form.is_valid():
        try:
            services.inspection_item_rectify(
                actor=request.user, item=item, on=form.cleaned_data["on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The rectification is recorded."))
            return redirect("registry:courtyard_detail", pk=courtyard.pk)
    return _render_detail(request, courtyard, rectify_forms={item.pk: form})


@require_POST
@staff_required
def risk_override(request: HttpRequest, pk: int) -> HttpResponse:
    courtyard = _courtyard(request, pk)
    form = RiskOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.courtyard_risk_override(
                actor=request.user,
                courtyard=courtyard,
                color=form.cleaned_data["color"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if form.cleaned_data["color"]:
                messages.success(request, _("The risk colour is overridden."))
            else:
                messages.success(request, _("The override is cleared; the rule's colour applies."))
            return redirect("registry:courtyard_detail", pk=courtyard.pk)
    return _render_detail(request, courtyard, override_form=form)


@require_POST
@staff_required
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    courtyard = _courtyard(request, pk)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.courtyard_rate(
                actor=request.user,
                courtyard=courtyard,
                stars=form.cleaned_data["stars"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The star rating is saved."))
            return redirect("registry:courtyard_detail", pk=courtyard.pk)
    return _render_detail(request, courtyard, rate_form=form)


# --- plates ---------------------------------------------------------------------------------------


def _pdf(content: bytes, filename: str) -> HttpResponse:
    filename = re.sub(r"[^0-9A-Za-z._-]", "_", filename)  # codes from imports may hold anything
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_GET
@staff_required
def plate(request: HttpRequest, pk: int) -> HttpResponse:
    courtyard = _courtyard(request, pk)
    url = plates.public_url(courtyard, base_url=_base_url(request))
    return _pdf(plates.render_plate(courtyard, url=url), f"plate-{courtyard.code}.pdf")


@require_GET
@staff_required
def area_plates(request: HttpRequest, area_pk: int) -> HttpResponse:
    """Every courtyard of an area (its whole subtree), one A6 page each, for the print shop."""
    area = get_visible_or_404(Area.objects.all(), request.user, pk=area_pk)
    base_url = _base_url(request)
    content = plates.render_plates(
        selectors.plate_courtyards(request.user, area).iterator(chunk_size=200),
        url_for=lambda courtyard: plates.public_url(courtyard, base_url=base_url),
    )
    return _pdf(content, f"plates-{area.code}.pdf")
