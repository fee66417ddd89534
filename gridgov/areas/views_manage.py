"""Pages that change the area tree: thin wrappers of the area services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.areas.forms import AreaCreateForm, AreaEditForm, AreaMoveForm
from gridgov.areas.models import LEVEL_ORDER, Area, AreaLevel
from gridgov.areas.services import (
    area_create,
    area_move,
    area_retire,
    area_update,
    can_manage_area,
    child_level,
)
from gridgov.core.scoping import get_visible_or_404


def _managed(request: HttpRequest, area_id: int) -> Area:
    area = get_visible_or_404(Area.objects.select_related("parent"), request.user, pk=area_id)
    if not can_manage_area(request.user, area):
        raise PermissionDenied
    return area


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def area_create_view(request: HttpRequest, area_id: int) -> HttpResponse:
    parent = _managed(request, area_id)
    try:
        level = child_level(parent)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("areas:detail", parent.pk)
    form = AreaCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = area_create(
                actor=request.user,
                parent=parent,
                name=form.cleaned_data["name"],
                level=level,
                code=form.cleaned_data["code"] or None,
                grid_type=form.cleaned_data["grid_type"],
                polygon=form.cleaned_data["polygon"] or None,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The area was created."))
            return redirect("areas:detail", area.pk)
    return render(
        request,
        "areas/area_form.html",
        {"form": form, "parent": parent, "level": AreaLevel(level), "mode": "create"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_edit_view(request: HttpRequest, area_id: int) -> HttpResponse:
    area = _managed(request, area_id)
    initial = {"name": area.name, "grid_type": area.grid_type, "polygon": area.polygon or ""}
    if isinstance(initial["polygon"], dict):
        import json

        initial["polygon"] = json.dumps(area.polygon, ensure_ascii=False)
    form = AreaEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            area_update(
                actor=request.user,
                area=area,
                name=form.cleaned_data["name"],
                grid_type=form.cleaned_data["grid_type"],
                polygon=form.cleaned_data["polygon"] or None,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The area was saved."))
            return redirect("areas:detail", area.pk)
    return render(
        request,
        "areas/area_form.html",
        {"form": form, "area": area, "mode": "edit"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def area_move_view(request: HttpRequest, area_id: int) -> HttpResponse:
    area = _managed(request, area_id)
    parent_level = LEVEL_ORDER[LEVEL_ORDER.index(AreaLevel(area.level)) - 1]
    parents = (
        Area.objects.visible_to(request.user)
        .active()
        .filter(level=parent_level)
        .exclude(pk=area.parent_id)
        .order_by("code")
    )
    form = AreaMoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            area_move(actor=request.user, area=area, new_parent=form.cleaned_data["new_parent"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("The area was moved; its code is now %(code)s.")
                % {"code": Area.objects.get(pk=area.pk).code},
            )
            return redirect("areas:detail", area.pk)
    return render(
        request,
        "areas/area_form.html",
        {"form": form, "area": area, "mode": "move"},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["POST"])
def area_retire_view(request: HttpRequest, area_id: int) -> HttpResponse:
    area = _managed(request, area_id)
    try:
        area_retire(actor=request.user, area=area)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("areas:detail", area.pk)
    messages.success(request, _("%(name)s was retired with its subareas.") % {"name": area.name})
    return redirect("areas:detail", area.parent_id) if area.parent_id else redirect("areas:list")
