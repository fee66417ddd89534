"""Hotline pages: the operator's form for a call, and the 12345 sheet import (template, upload,
result). Thin: the work is in ``services.py`` and the registry's import pipeline."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridgov.cases.models import Case, Channel
from gridgov.core.files import stored_file_create
from gridgov.core.scoping import get_visible_or_404, visible_to
from gridgov.hotline.forms import HotlineCaseForm, HotlineImportForm
from gridgov.hotline.importing import HotlineOrders
from gridgov.hotline.models import HotlineImport
from gridgov.hotline.permissions import is_operator
from gridgov.hotline.services import hotline_case_create
from gridgov.registry.importing.results import XLSX_CONTENT_TYPE
from gridgov.registry.importing.runner import ImportRefused, run_import
from gridgov.registry.importing.workbooks import write_template

FIELD_FOR = {"callback_phone": "caller_phone", "location": "area", "channel": None}


def _require_operator(request: HttpRequest) -> None:
    if not is_operator(request.user):
        raise PermissionDenied


@login_required
def new(request: HttpRequest) -> HttpResponse:
    """Enter a call or one transferred work order; the case is filed and its page opens."""
    _require_operator(request)
    form = HotlineCaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reported = hotline_case_create(
                actor=request.user,
                order_number=data["order_number"],
                caller_phone=data["caller_phone"],
                caller_name=data["caller_name"],
                category=data["category"],
                urgency=data["urgency"],
                area=data["area"],
                address=data["address"],
                title=data["title"],
                description=data["description"],
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                field = FIELD_FOR.get(name, name)
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied:
            form.add_error("area", _("You do not take calls for this area."))
        else:
            if reported.created:
                messages.success(
                    request, _("Case %(number)s is filed.") % {"number": reported.case.number}
                )
            else:
                messages.info(
                    request,
                    _("This work order was filed before as case %(number)s.")
                    % {"number": reported.case.number},
                )
            return redirect("cases:detail", reported.case.pk)
    recent = (
        visible_to(
            Case.objects.filter(channel=Channel.HOTLINE, created_by=request.user), request.user
        )
        .select_related("category", "area")
        .order_by("-reported_at", "-id")[:20]
    )
    return render(
        request,
        "hotline/new.html",
        {"form": form, "recent": recent},
        status=400 if request.method == "POST" else 200,
    )


def _temporary_xlsx() -> Path:
    handle, name = tempfile.mkstemp(prefix="gridgov-hotline-", suffix=".xlsx")
    os.close(handle)
    return Path(name)


@login_required
@require_GET
def template(request: HttpRequest) -> FileResponse:
    _require_operator(request)
    path = write_template(HotlineOrders(), _temporary_xlsx())
    handle = path.open("rb")
    os.unlink(path)
    return FileResponse(
        handle,
        as_attachment=True,
        filename="12345工单导入模板.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


# The import writes case by case with savepoints and keeps its own record even when rows fail.
@transaction.non_atomic_requests
@login_required
def imports(request: HttpRequest) -> HttpResponse:
    """Upload a 12345 sheet; it is imported at once (hotline sheets are hundreds of rows)."""
    _require_operator(request)
    form = HotlineImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mode = form.cleaned_data["mode"]
        with tempfile.TemporaryDirectory(prefix="gridgov-hotline-") as folder:
            source = Path(folder) / "upload.xlsx"
            with source.open("wb") as target:
                for chunk in upload.chunks():
                    target.write(chunk)
            result_path = Path(folder) / "result.xlsx"
            try:
                report = run_import(
                    kind=HotlineOrders(),
                    path=source,
                    actor=request.user,
                    all_or_nothing=mode == "all_or_nothing",
                    dry_run=mode == "dry_run",
                    result_path=result_path,
                    audit_data={"hotline_import": upload.name[:100]},
                )
            except ImportRefused as refused:
                form.add_error(None, str(refused))
            else:
                with transaction.atomic():
                    with result_path.open("rb") as handle:
                        stored = stored_file_create(
                            upload=UploadedFile(
                                file=handle,
                                name=f"12345工单导入结果-{Path(upload.name).stem}.xlsx",
                                content_type=XLSX_CONTENT_TYPE,
                                size=result_path.stat().st_size,
                            ),
                            area=None,
                            actor=request.user,
                        )
                    record = HotlineImport.objects.create(
                        created_by=request.user,
                        file_name=upload.name[:200],
                        mode=mode,
                        processed=report.processed,
                        created=report.created,
                        unchanged=report.unchanged,
                        rejected=report.rejected,
                        applied=report.applied,
                        result=stored,
                    )
                return redirect("hotline:import_detail", record.pk)
    records = HotlineImport.objects.visible_to(request.user).select_related("result")[:30]
    return render(
        request,
        "hotline/imports.html",
        {"form": form, "records": records},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = get_visible_or_404(
        HotlineImport.objects.select_related("result"), request.user, pk=record_id
    )
    return render(request, "hotline/import_detail.html", {"record": record})


@login_required
@require_GET
def import_result(request: HttpRequest, record_id: int) -> FileResponse:
    record = get_visible_or_404(
        HotlineImport.objects.select_related("result"), request.user, pk=record_id
    )
    if record.result is None:
        raise Http404
    try:
        handle = record.result.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=record.result.original_name,
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response
