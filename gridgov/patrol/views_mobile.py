"""The grid worker's phone pages (网格员端), mounted at /w/: to-do, case, quick report, look-up.

Thin: lists come from ``cases.selectors`` and ``registry.selectors`` (scoped), a case from
``get_visible_or_404``, every change from ``workflow.transition`` or the patrol services.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.cases import deadlines, selectors
from gridgov.cases.errors import ConcurrentChange, WorkflowError
from gridgov.cases.forms import apply_errors
from gridgov.cases.models import AttachmentKind, Case, CaseStatus
from gridgov.cases.views import CASE_PAGE_RELATED, _safe_next, _timeline, case_staff_required
from gridgov.cases.workflow import allowed_actions, transition
from gridgov.core.files import stored_file_create
from gridgov.core.models import StoredFile
from gridgov.core.scoping import get_visible_or_404
from gridgov.patrol.forms import (
    MOBILE_ACTIONS,
    PHOTO_FIELDS,
    LookupForm,
    QuickReportForm,
    mobile_form,
)
from gridgov.patrol.reporting import patrol_case_report
from gridgov.patrol.selectors import open_patrol
from gridgov.registry.models import House, Resident
from gridgov.registry.selectors import resident_list

LOOKUP_LIMIT = 30


# To-do -----------------------------------------------------------------------------------------


@case_staff_required
@require_GET
def todo(request: HttpRequest) -> HttpResponse:
    """Today's work: every case in the worker's hands, the nearest deadline first, coloured."""
    now = timezone.now()
    cases = list(selectors.todo_for(request.user)[:100])
    for case in cases:
        case.light = deadlines.light(case, now)
        case.needs_claim = case.status == CaseStatus.DISPATCHED
    return render(
        request,
        "patrol/todo.html",
        {
            "cases": cases,
            "red": sum(1 for c in cases if c.light == deadlines.Light.RED),
            "yellow": sum(1 for c in cases if c.light == deadlines.Light.YELLOW),
            "patrol": open_patrol(request.user),
        },
    )


# The case page ---------------------------------------------------------------------------------


def _case(request: HttpRequest, pk: int) -> Case:
    return get_visible_or_404(Case.objects.select_related(*CASE_PAGE_RELATED), request.user, pk=pk)


def _forms_for(case: Case, user: Any) -> dict[str, Any]:
    allowed = {spec.action for spec in allowed_actions(case, user)}
    forms = {}
    for name, (action, _form_class) in MOBILE_ACTIONS.items():
        if action not in allowed:
            continue
        if name == "claim" and case.status != CaseStatus.DISPATCHED:
            continue  # claimed already (a claimed case stays claimable only for departments)
        if name == "handle" and (
            case.status != CaseStatus.CLAIMED or case.assignee_user_id != user.pk
        ):
            continue  # photos of the site belong to the one who claimed the work
        forms[name] = mobile_form(name, case=case, user=user)
    return forms


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    failed: Any = None,
    failed_name: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    forms = _forms_for(case, request.user)
    if failed is not None and failed_name in forms:
        forms[failed_name] = failed
    attachments = list(case.attachments.select_related("file").order_by("id"))
    return render(
        request,
        "patrol/case.html",
        {
            "case": case,
            "light": deadlines.light(case, timezone.now()),
            "forms": forms,
            "failed_name": failed_name,
            "action_error": error,
            "timeline": _timeline(case)[-8:],
            "photos_before": [a for a in attachments if a.kind == AttachmentKind.BEFORE],
            "photos_after": [a for a in attachments if a.kind == AttachmentKind.AFTER],
        },
        status=status,
    )


@case_staff_required
@require_GET
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, _case(request, pk))


def _store(uploads: list[Any], actor: Any) -> list[StoredFile]:
    # Stored for the uploader alone; the workflow files them under the case's area.
    return [stored_file_create(upload=upload, area=None, actor=actor) for upload in uploads]


def _remove(stored: list[StoredFile]) -> None:
    for photo in stored:  # the rows are rolled back; their bytes are removed here
        if photo.file.name:
            photo.file.storage.delete(photo.file.name)


@case_staff_required
@require_POST
def case_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in MOBILE_ACTIONS:
        raise Http404
    case = _case(request, pk)
    action = MOBILE_ACTIONS[name][0]
    if action not in {spec.action for spec in allowed_actions(case, request.user)}:
        raise PermissionDenied
    if name == "handle" and name not in _forms_for(case, request.user):
        raise PermissionDenied
    form = mobile_form(name, case=case, user=request.user, data=request.POST, files=request.FILES)
    if not form.is_valid():
        message = _("Nothing was changed. Please correct the fields marked below.")
        return _render_case(request, case, failed=form, failed_name=name, error=message, status=400)
    kwargs = form.transition_kwargs()
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            for field in PHOTO_FIELDS:
                if field in form.fields:
                    files = _store(form.cleaned_data.get(field) or [], request.user)
                    stored += files
                    kwargs[field] = files
            transition(case=case, action=action, actor=request.user, **kwargs)
    except ConcurrentChange as error:
        _remove(stored)
        # Somebody acted first: show the case as it is now, with the reason, nothing changed.
        return _render_case(request, _case(request, pk), error=" ".join(error.messages), status=409)
    except (WorkflowError, ValidationError) as error:
        _remove(stored)
        apply_errors(form, error)
        return _render_case(
            request,
            case,
            failed=form,
            failed_name=name,
            error=" ".join(error.messages),
            status=400,
        )
    except BaseException:
        _remove(stored)
        raise
    messages.success(
        request,
        _("“%(action)s” was recorded for case %(number)s.")
        % {"action": form.label, "number": case.number},
    )
    target = _safe_next(request)
    return redirect(target) if target else redirect("patrol:case", pk=case.pk)


# Quick report ----------------------------------------------------------------------------------


@case_staff_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    form = QuickReportForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"client_key": uuid.uuid4().hex},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = patrol_case_report(
                worker=request.user,
                category=data["category"],
                title=data["title"],
                description=data.get("description") or "",
                lon=data.get("lon"),
                lat=data.get("lat"),
                crs=data.get("crs") or "wgs84",
                area=data.get("area"),
                address=data.get("address") or "",
                uploads=data.get("photos") or [],
                client_key=data.get("client_key") or None,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            case = result.case
            if result.taken_on:
                message = _("Case %(number)s was reported and is now in your hands.")
            else:
                message = _("Case %(number)s was reported and waits for dispatch.")
            messages.success(request, message % {"number": case.number})
            return redirect("patrol:case", pk=case.pk)
    return render(
        request,
        "patrol/report.html",
        {"form": form, "patrol": open_patrol(request.user)},
        status=400 if request.method == "POST" else 200,
    )


# Look-up of households and residents -----------------------------------------------------------


@case_staff_required
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Residents and households of the worker's own areas. The query is posted, so a phone or ID
    number never reaches a URL, an access log or the browser history."""
    form = LookupForm(request.POST or None)
    residents: list[Resident] = []
    houses: list[House] = []
    searched = False
    if request.method == "POST" and form.is_valid():
        searched = True
        query = form.cleaned_data["q"].strip()
        residents = list(resident_list(request.user, query=query)[:LOOKUP_LIMIT])
        houses = list(
            House.objects.visible_to(request.user)
            .select_related("area")
            .filter(address__contains=query)
            .order_by("address", "id")[:LOOKUP_LIMIT]
        )
    return render(
        request,
        "patrol/lookup.html",
        {
            "form": LookupForm() if searched else form,
            "residents": residents,
            "houses": houses,
            "searched": searched,
            "limit": LOOKUP_LIMIT,
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


@case_staff_required
@require_GET
def resident_page(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_visible_or_404(
        Resident.objects.select_related("area", "house"), request.user, pk=pk
    )
    return render(
        request,
        "patrol/resident.html",
        {"resident": resident, "tags": list(resident.tags.all())},
    )


@case_staff_required
@require_GET
def house_page(request: HttpRequest, pk: int) -> HttpResponse:
    house = get_visible_or_404(House.objects.select_related("area"), request.user, pk=pk)
    people = (
        Resident.objects.visible_to(request.user)
        .filter(house=house, moved_out_at__isnull=True)
        .order_by("name", "id")
    )
    return render(request, "patrol/house.html", {"house": house, "people": list(people)})
