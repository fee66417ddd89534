"""The patrol log on the phone (/w/patrol/): start, route points in batches (JSON), end.

The points endpoint answers JSON: ``{"ok": true, "added": n, ...}`` or, for bad input,
``{"ok": false, "code": "...", "message": "...", "errors": {...}}`` with status 400 (bad
points: none of the batch is stored), 404 (not a patrol of this worker) or 409 (ended).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.areas.models import Area
from gridgov.cases.views import case_staff_required
from gridgov.core.scoping import get_visible_or_404
from gridgov.patrol.models import Patrol
from gridgov.patrol.selectors import open_patrol, worker_grids, worker_totals
from gridgov.patrol.services import (
    MAX_POINTS_PER_BATCH,
    PatrolEnded,
    patrol_end,
    patrol_points_add,
    patrol_start,
)


def _own_patrol(request: HttpRequest, pk: int) -> Patrol:
    """The worker's own patrol, or 404: a patrol of another worker does not exist for them."""
    return get_visible_or_404(
        Patrol.objects.filter(worker=request.user).select_related("area"), request.user, pk=pk
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _error(code: str, message: str, status: int, errors: Any = None) -> JsonResponse:
    body: dict[str, Any] = {"ok": False, "code": code, "message": message}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _patrol_json(patrol: Patrol) -> dict[str, Any]:
    return {
        "id": patrol.pk,
        "started_at": patrol.started_at.isoformat(),
        "ended_at": patrol.ended_at.isoformat() if patrol.ended_at else None,
        "distance_m": patrol.distance_m,
        "point_count": patrol.point_count,
        "outside_count": patrol.outside_count,
    }


@case_staff_required
@require_GET
def patrol_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    recent = (
        Patrol.objects.visible_to(request.user)
        .filter(worker=request.user)
        .select_related("area")
        .order_by("-started_at")[:10]
    )
    return render(
        request,
        "patrol/patrol.html",
        {
            "patrol": open_patrol(request.user),
            "grids": worker_grids(request.user),
            "totals": worker_totals(request.user, today),
            "recent": list(recent),
            "batch_limit": MAX_POINTS_PER_BATCH,
        },
    )


@case_staff_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    area = None
    if request.POST.get("area"):
        area = get_visible_or_404(Area.objects.all(), request.user, pk=request.POST["area"])
    try:
        patrol, created = patrol_start(worker=request.user, area=area)
    except ValidationError as error:
        if _wants_json(request):
            return _error("not_a_grid_worker", " ".join(error.messages), 400)
        messages.error(request, " ".join(error.messages))
        return redirect("patrol:patrol")
    if _wants_json(request):
        return JsonResponse({"ok": True, "created": created, "patrol": _patrol_json(patrol)})
    if created:
        messages.success(request, _("Patrol started. Keep this page open while you walk."))
    else:
        messages.info(request, _("Your patrol is already running."))
    return redirect("patrol:patrol")


@case_staff_required
@require_POST
def points(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = _own_patrol(request, pk)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _error("bad_json", _("The request is not valid JSON."), 400)
    if not isinstance(body, dict):
        return _error("bad_json", _("The request is not valid JSON."), 400)
    try:
        result = patrol_points_add(
            patrol=patrol,
            worker=request.user,
            points=body.get("points"),
            crs=body.get("crs") or "wgs84",
        )
    except PatrolEnded as error:
        return _error("ended", " ".join(error.messages), 409)
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else None
        message = _("Nothing was stored: some route points are not valid.")
        return _error("invalid_points", message, 400, errors)
    return JsonResponse(
        {
            "ok": True,
            "added": result.added,
            "duplicates": result.duplicates,
            "outside": result.outside,
            "patrol": _patrol_json(result.patrol),
        }
    )


@case_staff_required
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = _own_patrol(request, pk)
    try:
        patrol = patrol_end(patrol=patrol, worker=request.user)
    except PatrolEnded as error:
        if _wants_json(request):
            return _error("ended", " ".join(error.messages), 409)
        messages.error(request, " ".join(error.messages))
        return redirect("patrol:patrol")
    if _wants_json(request):
        return JsonResponse({"ok": True, "patrol": _patrol_json(patrol)})
    minutes = int(patrol.duration().total_seconds() // 60)
    messages.success(
        request,
        _("Patrol ended: %(minutes)d minutes, %(metres)d metres.")
        % {"minutes": minutes, "metres": round(patrol.distance_m)},
    )
    return redirect("patrol:patrol")
