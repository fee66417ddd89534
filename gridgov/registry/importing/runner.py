"""Running an import: read → parse → plan → write, batch by batch, and the result workbook.

Modes:
- default: every batch (``batch_size`` rows) is planned and written in its own transaction; valid
  rows are applied, rejected rows are listed in the result workbook.
- ``all_or_nothing``: a first pass validates every row without writing; only when none is rejected
  does a second pass write them all in one transaction (rolled back if the database still turns
  one down, e.g. a resident added by someone else in between). Nothing is partially applied.
- ``dry_run``: the first pass only.

Reasons are rendered in Chinese (``translation.override("zh-hans")``), the exchange language.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gridgov.registry.importing.areas import AreaResolver
from gridgov.registry.importing.columns import map_headers
from gridgov.registry.importing.kinds import get_kind
from gridgov.registry.importing.kinds.base import ImportContext, Kind, Outcome, Row
from gridgov.registry.importing.reader import SheetRows, UnreadableFile, open_rows
from gridgov.registry.importing.results import ResultWriter

RESULT_LANGUAGE = "zh-hans"
BATCH_SIZE = 1000


class ImportRefused(Exception):
    """The whole file cannot be imported (unreadable, a required column missing, no right)."""


@dataclass
class ImportReport:
    kind: str
    all_or_nothing: bool = False
    dry_run: bool = False
    total: int = 0  # data rows in the sheet (an estimate until the end: blank rows are skipped)
    processed: int = 0
    accepted: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    applied: bool = False
    stage: str = "validate"
    unknown_columns: list[str] = field(default_factory=list)
    result_path: Path | None = None
    seconds: float = 0.0

    def reset_counts(self) -> None:
        self.processed = self.accepted = self.created = self.updated = 0
        self.unchanged = self.rejected = 0

    def summary(self) -> list[tuple[str, Any]]:
        if self.dry_run:
            mode = _("Check only (nothing written)")
        elif self.all_or_nothing:
            mode = _("All or nothing")
        else:
            mode = _("Apply the valid rows")
        return [
            (_("Mode"), mode),
            (_("Rows read"), self.processed),
            (_("Accepted"), self.accepted),
            (_("Added"), self.created),
            (_("Updated"), self.updated),
            (_("Unchanged"), self.unchanged),
            (_("Rejected"), self.rejected),
            (_("Written to the register"), _("yes") if self.applied else _("no")),
            (_("Columns ignored"), "、".join(self.unknown_columns) or "—"),
        ]


class _Rollback(Exception):
    pass


Progress = Callable[[ImportReport], None]


def run_import(
    *,
    kind: str | Kind,
    path: str | Path,
    actor: Any,
    all_or_nothing: bool = False,
    dry_run: bool = False,
    result_path: str | Path | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    audit_data: dict[str, Any] | None = None,
) -> ImportReport:
    """Import ``path`` as ``kind`` for ``actor``; raise ImportRefused for a file-level problem."""
    with translation.override(RESULT_LANGUAGE):
        return _Run(
            kind=get_kind(kind) if isinstance(kind, str) else kind,
            path=Path(path),
            actor=actor,
            all_or_nothing=all_or_nothing,
            dry_run=dry_run,
            result_path=Path(result_path) if result_path else None,
            batch_size=batch_size,
            progress=progress,
            audit_data=audit_data or {},
        ).run()


@dataclass
class _Run:
    kind: Kind
    path: Path
    actor: Any
    all_or_nothing: bool
    dry_run: bool
    result_path: Path | None
    batch_size: int
    progress: Progress | None
    audit_data: dict[str, Any]

    def run(self) -> ImportReport:
        started = time.perf_counter()
        report = ImportReport(
            kind=self.kind.name, all_or_nothing=self.all_or_nothing, dry_run=self.dry_run
        )
        refusal = self.kind.check_actor(self.actor)
        if refusal:
            raise ImportRefused(refusal)
        self.cid = f"import-{uuid.uuid4().hex}"
        sheet = self._open(report)
        writer = ResultWriter(self.result_path, self.headers.headers) if self.result_path else None
        try:
            if self.dry_run or self.all_or_nothing:
                self._pass(sheet, report, writer, write=False)
                if not self.dry_run and report.rejected == 0:
                    sheet.close()
                    sheet = self._open(report)
                    report.reset_counts()
                    report.stage = "apply"
                    self._notify(report)
                    try:
                        with transaction.atomic():
                            self._pass(sheet, report, writer, write=True, atomic_batches=False)
                            if report.rejected:
                                raise _Rollback
                    except _Rollback:
                        report.created = report.updated = 0
                    else:
                        report.applied = True
            else:
                report.stage = "apply"
                self._pass(sheet, report, writer, write=True)
                report.applied = report.created + report.updated > 0
        finally:
            sheet.close()
        report.total = report.processed
        report.seconds = time.perf_counter() - started
        if writer is not None:
            report.result_path = writer.close(report.summary())
        return report

    def _open(self, report: ImportReport) -> SheetRows:
        try:
            sheet = open_rows(self.path)
        except UnreadableFile as error:
            raise ImportRefused(_("The file is not an Excel workbook that can be read.")) from error
        self.headers = map_headers(self.kind.columns, sheet.header)
        if self.headers.missing:
            sheet.close()
            raise ImportRefused(
                _("Required columns are missing: %(columns)s.")
                % {"columns": "、".join(c.header for c in self.headers.missing)}
            )
        if self.headers.duplicated:
            sheet.close()
            raise ImportRefused(
                _("Columns appear twice: %(columns)s.")
                % {"columns": "、".join(self.headers.duplicated)}
            )
        report.unknown_columns = list(self.headers.unknown)
        report.total = sheet.estimated_rows
        return sheet

    def _pass(
        self,
        sheet: SheetRows,
        report: ImportReport,
        writer: ResultWriter | None,
        *,
        write: bool,
        atomic_batches: bool = True,
    ) -> None:
        context = ImportContext(
            actor=self.actor,
            headers=self.headers,
            areas=AreaResolver(self.actor),
            write=write,
            audit_cid=self.cid,
            audit_data={"import": self.kind.name, **self.audit_data},
        )
        batch: list[Row] = []
        values = self.headers.values
        for number, cells in sheet:
            row = Row(number=number, cells=cells, values=values(cells))
            self.kind.parse(row, context)
            batch.append(row)
            if len(batch) >= self.batch_size:
                self._flush(batch, context, report, writer, write and atomic_batches)
                batch = []
        if batch:
            self._flush(batch, context, report, writer, write and atomic_batches)

    def _flush(
        self,
        batch: list[Row],
        context: ImportContext,
        report: ImportReport,
        writer: ResultWriter | None,
        atomic: bool,
    ) -> None:
        if atomic:
            with transaction.atomic():
                self.kind.apply(batch, context)
        else:
            self.kind.apply(batch, context)
        for row in batch:
            if row.errors:
                report.rejected += 1
                if writer is not None:
                    writer.reject(
                        row.number,
                        row.cells,
                        [self.kind.header(key) for key, _message in row.errors],
                        [message for _key, message in row.errors],
                    )
                continue
            report.accepted += 1
            if row.outcome == Outcome.CREATED:
                report.created += 1
            elif row.outcome == Outcome.UPDATED:
                report.updated += 1
            else:
                report.unchanged += 1
        report.processed += len(batch)
        self._notify(report)

    def _notify(self, report: ImportReport) -> None:
        if self.progress is not None:
            self.progress(report)
