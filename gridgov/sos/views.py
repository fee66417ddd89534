"""SOS pages: the big button for a signed-in resident on the phone (``/sos/``) and its status
page, and the console for community staff (devices, presses, duty roster). Thin: the work is in
``services.py``; every list and object goes through the scoping function."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.cases.models import CaseEvent, EventVisibility, HandlingLevel
from gridgov.core.scoping import get_visible_or_404, visible_to
from gridgov.registry.models import Resident, ResidentTag, ResidentTagKind
from gridgov.sos.forms import DeviceForm, DutyShiftForm
from gridgov.sos.models import DutyShift, SosDevice, SosPress
from gridgov.sos.permissions import manages_sos, manages_sos_at
from gridgov.sos.services import (
    STILL_OPEN,
    device_create,
    device_revoke,
    home_area_of,
    resident_of,
    sos_press,
)

# --- the resident's button ---------------------------------------------------------------------


def _last_press(user: Any) -> SosPress | None:
    return (
        SosPress.objects.filter(user=user)
        .select_related("case")
        .order_by("-received_at", "-id")
        .first()
    )


@login_required
@require_GET
def button(request: HttpRequest) -> HttpResponse:
    """The big button. A press needs a second, deliberate step (hold, or tap "send" after the
    first tap), so that a phone in a pocket does not call for help."""
    resident = resident_of(request.user)
    can_press = resident is not None or home_area_of(request.user) is not None
    last = _last_press(request.user)
    open_press = last if last and last.case and last.case.status in STILL_OPEN else None
    return render(
        request,
        "sos/button.html",
        {"can_press": can_press, "resident": resident, "open_press": open_press},
    )


@login_required
@require_POST
def press(request: HttpRequest) -> HttpResponse:
    if request.POST.get("confirmed") != "yes":
        messages.error(request, _("Hold the button, or tap it and then confirm, to send an SOS."))
        return redirect("sos:button")
    try:
        pressed = sos_press(resident=resident_of(request.user), user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sos:button")
    return redirect("sos:status", uid=pressed.press.uid)


LEVELS = {
    HandlingLevel.GRID: 1,
    HandlingLevel.COMMUNITY: 2,
    HandlingLevel.STREET: 3,
}


@login_required
@require_GET
def status(request: HttpRequest, uid: str) -> HttpResponse:
    """What became of a press: help is on the way, who has it now, and its public timeline."""
    press = get_visible_or_404(
        SosPress.objects.select_related("case", "case__area", "case__assignee_area"),
        request.user,
        uid=uid,
    )
    case = press.case
    events = []
    if case is not None:
        events = list(
            CaseEvent.objects.filter(case=case)
            .filter(Q(visibility=EventVisibility.PUBLIC) | Q(action="escalate"))
            .order_by("at", "id")
        )
    context = {
        "press": press,
        "case": case,
        "events": events,
        "level": LEVELS.get(case.handling_level, 1) if case else 0,
        "claimed": bool(case and case.claimed_at),
        "still_open": bool(case and case.status in STILL_OPEN),
    }
    template = "sos/_status_panel.html" if request.htmx else "sos/status.html"
    return render(request, template, context)


# --- the console -------------------------------------------------------------------------------


def _require_manager(request: HttpRequest) -> None:
    if not manages_sos(request.user):
        raise PermissionDenied


@login_required
def console(request: HttpRequest) -> HttpResponse:
    """Devices of the residents in scope, recent presses, and registering a new device."""
    _require_manager(request)
    query = (request.GET.get("q") or "").strip()
    found: list[Resident] = []
    if query:
        found = list(
            visible_to(Resident.objects.filter(moved_out_at__isnull=True), request.user)
            .filter(name__contains=query)
            .select_related("area")
            .order_by("name", "id")[:20]
        )
    devices = (
        SosDevice.objects.visible_to(request.user)
        .select_related("resident", "resident__area")
        .order_by("revoked_at", "-created_at")[:200]
    )
    presses = (
        SosPress.objects.visible_to(request.user)
        .select_related("resident", "device", "case", "area")
        .order_by("-received_at", "-id")[:50]
    )
    alone = set(
        ResidentTag.objects.filter(
            resident__in=[r.pk for r in found], tag=ResidentTagKind.ELDERLY_ALONE
        ).values_list("resident_id", flat=True)
    )
    return render(
        request,
        "sos/console.html",
        {
            "query": query,
            "found": found,
            "alone": alone,
            "devices": devices,
            "presses": presses,
            "form": DeviceForm(),
        },
    )


@login_required
@require_POST
def device_new(request: HttpRequest, resident_id: int) -> HttpResponse:
    _require_manager(request)
    resident = get_visible_or_404(
        Resident.objects.select_related("area"), request.user, pk=resident_id
    )
    if not manages_sos_at(request.user, resident.area.code):
        raise PermissionDenied
    form = DeviceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The label is longer than 64 characters."))
        return redirect("sos:console")
    try:
        device, token = device_create(
            resident=resident, label=form.cleaned_data["label"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sos:console")
    # The token is shown this once, in this answer, never in a URL or a later page.
    response = render(request, "sos/device_token.html", {"device": device, "token": token})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def device_revoke_view(request: HttpRequest, uid: str) -> HttpResponse:
    _require_manager(request)
    device = get_visible_or_404(
        SosDevice.objects.select_related("resident__area"), request.user, uid=uid
    )
    if not manages_sos_at(request.user, device.resident.area.code):
        raise PermissionDenied
    device_revoke(device=device, actor=request.user)
    messages.success(request, _("The device is revoked: its presses are no longer accepted."))
    return redirect("sos:console")


@login_required
def duty(request: HttpRequest) -> HttpResponse:
    """The duty roster of the grids in scope, and adding a shift."""
    _require_manager(request)
    form = DutyShiftForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        shift = form.save(commit=False)
        shift.created_by = request.user
        shift.save()
        messages.success(request, _("The shift is added."))
        return redirect("sos:duty")
    shifts = (
        DutyShift.objects.visible_to(request.user)
        .select_related("area", "user")
        .order_by("area__code", "date", "weekday", "start_time")[:500]
    )
    return render(
        request,
        "sos/duty.html",
        {"form": form, "shifts": shifts},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def duty_delete(request: HttpRequest, shift_id: int) -> HttpResponse:
    _require_manager(request)
    shift = get_visible_or_404(DutyShift.objects.select_related("area"), request.user, pk=shift_id)
    if not manages_sos_at(request.user, shift.area.code):
        raise PermissionDenied
    shift.delete()
    messages.success(request, _("The shift is removed."))
    return redirect("sos:duty")
