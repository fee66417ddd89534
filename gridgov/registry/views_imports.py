"""Import and export pages (一张表采集): upload a sheet, follow its progress, download the result;
download templates; export the registry in the same columns, scoped and masked.

Thin: the work is in ``registry/importing`` (engine, workbooks) and ``importing/jobs.py``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gridgov.core.models import STAFF_ROLES
from gridgov.core.scoping import get_visible_or_404, scope_of
from gridgov.registry.importing.jobs import (
    ACCEPTED_SUFFIXES,
    can_download_result,
    import_job_create,
)
from gridgov.registry.importing.kinds import EXPORTABLE, KINDS, get_kind
from gridgov.registry.importing.results import XLSX_CONTENT_TYPE
from gridgov.registry.importing.runner import ImportRefused
from gridgov.registry.importing.workbooks import write_export, write_template
from gridgov.registry.models_imports import ImportJob, ImportKind, ImportMode


def _require_staff(request: HttpRequest) -> None:
    scope = scope_of(request.user)
    if not (scope.everything or (scope.area_codes and scope.roles & STAFF_ROLES)):
        raise PermissionDenied


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the sheet holds"), choices=ImportKind.choices)
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"), choices=ImportMode.choices, initial=ImportMode.APPLY_VALID
    )
    file = forms.FileField(label=gettext_lazy("Excel file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED_SUFFIXES):
            raise ValidationError(_("Upload an Excel workbook (.xlsx)."))
        return upload


def _xlsx_response(path: Path, filename: str) -> FileResponse:
    handle = path.open("rb")
    os.unlink(path)  # the open handle keeps the bytes until the response is closed
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _temporary_xlsx() -> Path:
    handle, name = tempfile.mkstemp(prefix="gridgov-", suffix=".xlsx")
    os.close(handle)
    return Path(name)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                mode=form.cleaned_data["mode"],
                upload=form.cleaned_data["file"],
            )
        except ImportRefused as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The file is uploaded; the import has started."))
            return redirect("registry:import_detail", job_id=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user).select_related("result")[:50]
    templates = [(name, kind.label) for name, kind in KINDS.items()]
    exports = [(name, KINDS[name].label) for name in EXPORTABLE]
    return render(
        request,
        "registry/imports/import_list.html",
        {"form": form, "jobs": jobs, "templates": templates, "exports": exports},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> FileResponse:
    _require_staff(request)
    try:
        chosen = get_kind(kind)
    except LookupError as error:
        raise Http404 from error
    path = write_template(chosen, _temporary_xlsx())
    return _xlsx_response(path, f"{chosen.sheet_name}导入模板.xlsx")


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    return get_visible_or_404(
        ImportJob.objects.select_related("upload", "result", "created_by"), request.user, pk=job_id
    )


# Read-only, and polled while a worker writes: no request transaction (on SQLite it would
# queue behind the import's write lock).
@transaction.non_atomic_requests
@login_required
@require_GET
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    return render(request, "registry/imports/import_detail.html", {"job": job})


# Read-only, and polled while a worker writes: no request transaction (on SQLite it would
# queue behind the import's write lock).
@transaction.non_atomic_requests
@login_required
@require_GET
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    return render(request, "registry/imports/_progress.html", {"job": job})


@login_required
@require_GET
def import_result(request: HttpRequest, job_id: int) -> FileResponse:
    job = _job(request, job_id)
    if not can_download_result(request.user, job):
        raise Http404
    if job.result is None:
        raise Http404
    try:
        handle = job.result.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.result.original_name,
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export(request: HttpRequest, kind: str) -> FileResponse:
    _require_staff(request)
    if kind not in EXPORTABLE:
        raise Http404
    chosen = get_kind(kind)
    path = _temporary_xlsx()
    write_export(chosen, request.user, path)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx_response(path, f"{chosen.sheet_name}-{stamp}.xlsx")
