"""Reporting a case from the console: a grid worker on patrol, or a clerk taking a hotline call.

The form checks the photos (raster images under the size limit, by their bytes) before anything
is stored; ``services.case_report`` checks the rest. When it refuses, the stored photos are
removed again and the form shows its reasons: nothing is created.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.cases.forms import CaseReportForm, apply_errors, may_report
from gridgov.cases.services import case_report
from gridgov.cases.views import case_staff_required
from gridgov.core.files import stored_file_create
from gridgov.core.models import StoredFile


def _store_and_report(request: HttpRequest, form: CaseReportForm) -> Any:
    data = form.cleaned_data
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            for upload in data["photos"]:
                stored.append(
                    stored_file_create(upload=upload, area=data.get("area"), actor=request.user)
                )
            case = case_report(
                actor=request.user,
                channel=data["channel"],
                category=data["category"],
                title=data["title"],
                description=data.get("description") or "",
                urgency=data["urgency"],
                lon=data.get("lon"),
                lat=data.get("lat"),
                crs=data.get("crs") or "wgs84",
                area=data.get("area"),
                address=data.get("address") or "",
                reporter_name=data.get("reporter_name") or "",
                callback_phone=data.get("callback_phone") or "",
                photos=stored,
            ).case  # case_report files the photos under the case's area
    except BaseException:
        for photo in stored:  # the rows are rolled back; their bytes are removed here
            if photo.file.name:
                photo.file.storage.delete(photo.file.name)
        raise
    return case


@case_staff_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    if not may_report(request.user):
        raise PermissionDenied
    form = CaseReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = _store_and_report(request, form)
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied:
            form.add_error("area", _("This area is outside your areas."))
        else:
            messages.success(request, _("Case %(number)s was reported.") % {"number": case.number})
            return redirect("cases:detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/case_form.html", {"form": form}, status=status)
