"""Imports from the web: create the job (upload stored, task queued on commit), run it, and who
may download its result."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.files import stored_file_create
from gridgov.core.scoping import scope_of
from gridgov.registry.importing.kinds import get_kind
from gridgov.registry.importing.results import XLSX_CONTENT_TYPE
from gridgov.registry.importing.runner import ImportRefused, ImportReport, run_import
from gridgov.registry.models_imports import ImportJob, ImportMode, ImportStage, ImportStatus

logger = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
PROGRESS_EVERY_SECONDS = 0.5


def import_job_create(*, actor: Any, kind: str, mode: str, upload: UploadedFile) -> ImportJob:
    """Store the upload and queue the job; raises ImportRefused when the actor may not import."""
    refusal = get_kind(kind).check_actor(actor)
    if refusal:
        raise ImportRefused(refusal)
    stored = stored_file_create(upload=upload, area=None, actor=actor)
    job = ImportJob.objects.create(created_by=actor, kind=kind, mode=mode, upload=stored)
    from gridgov.registry.tasks import import_job_run

    job_id = job.pk
    transaction.on_commit(lambda: import_job_run.enqueue(job_id))
    return job


def can_download_result(user: Any, job: ImportJob) -> bool:
    return job.created_by_id == user.pk or scope_of(user).everything


def import_job_run(job_id: int, *, retry: bool = False) -> None:
    """Run a queued job (a job already taken by another worker is left alone).

    ``retry``: the job's task runs again because the worker running it died; the job it left
    "running" is taken over. What the dead run wrote is whole batches (all or nothing: none), and
    rows already written come back unchanged, so running it again completes it without
    duplicates.
    """
    takeable = [ImportStatus.QUEUED, ImportStatus.RUNNING] if retry else [ImportStatus.QUEUED]
    taken = ImportJob.objects.filter(pk=job_id, status__in=takeable).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if not taken:
        return
    job = ImportJob.objects.select_related("upload", "created_by").get(pk=job_id)
    last = [0.0]

    def progress(report: ImportReport) -> None:
        now = timezone.now().timestamp()
        if now - last[0] < PROGRESS_EVERY_SECONDS and report.processed < report.total:
            return
        last[0] = now
        ImportJob.objects.filter(pk=job_id).update(
            total=max(report.total, report.processed),
            processed=report.processed,
            accepted=report.accepted,
            rejected=report.rejected,
            stage=report.stage,
        )

    with tempfile.TemporaryDirectory(prefix="gridgov-import-") as folder:
        result_path = Path(folder) / "result.xlsx"
        try:
            with _local_copy(job.upload) as source:
                report = run_import(
                    kind=job.kind,
                    path=source,
                    actor=job.created_by,
                    all_or_nothing=job.mode == ImportMode.ALL_OR_NOTHING,
                    dry_run=job.mode == ImportMode.DRY_RUN,
                    result_path=result_path,
                    progress=progress,
                    audit_data={"import_job": job.pk},
                )
        except ImportRefused as refused:
            _finish(job, status=ImportStatus.FAILED, error=str(refused))
            return
        except Exception:
            logger.exception("import job %s failed", job_id)
            _finish(job, status=ImportStatus.FAILED, error=_("The import stopped on an error."))
            raise
        result = _store_result(job, result_path)
        _finish(job, status=ImportStatus.DONE, report=report, result=result)


def _finish(
    job: ImportJob,
    *,
    status: str,
    error: str = "",
    report: ImportReport | None = None,
    result: Any = None,
) -> None:
    fields: dict[str, Any] = {"status": status, "error": error[:300], "finished_at": timezone.now()}
    if report is not None:
        fields.update(
            total=report.total,
            processed=report.processed,
            accepted=report.accepted,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=report.rejected,
            applied=report.applied,
            stage=ImportStage.APPLY if report.applied else ImportStage.VALIDATE,
            result=result,
        )
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _store_result(job: ImportJob, path: Path) -> Any:
    name = f"{get_kind(job.kind).sheet_name}导入结果-{job.pk}.xlsx"
    with path.open("rb") as handle:
        upload = UploadedFile(
            file=handle, name=name, content_type=XLSX_CONTENT_TYPE, size=path.stat().st_size
        )
        return stored_file_create(upload=upload, area=None, actor=job.created_by)


class _local_copy:  # noqa: N801 (used as a context manager)
    """A path to the stored upload: the file itself on a file-system storage, else a copy."""

    def __init__(self, stored: Any) -> None:
        self.stored = stored
        self.temporary: Path | None = None

    def __enter__(self) -> Path:
        try:
            return Path(self.stored.file.path)
        except NotImplementedError:
            suffix = Path(self.stored.original_name).suffix or ".xlsx"
            handle, name = tempfile.mkstemp(suffix=suffix)
            with open(handle, "wb") as target, self.stored.file.open("rb") as source:
                for chunk in source.chunks():
                    target.write(chunk)
            self.temporary = Path(name)
            return self.temporary

    def __exit__(self, *exc: object) -> None:
        if self.temporary is not None:
            self.temporary.unlink(missing_ok=True)
