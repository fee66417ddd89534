"""The result workbook of an import: every rejected row with its original values and the reasons.

Written as the import runs (xlsxwriter in ``constant_memory`` mode: each row goes to a temporary
file and is not kept), so a file with 100,000 bad rows costs no more memory than one with ten.
The first sheet has the uploaded file's own headers, then the row number and the reasons: a user
corrects the rows in it and imports that sheet again as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils import translation

from gridgov.registry.importing import labels

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ResultWriter:
    """Open with the file's headers, ``reject()`` each bad row, ``close(summary)`` at the end."""

    def __init__(self, path: str | Path, headers: Sequence[str]) -> None:
        self.path = Path(path)
        self.headers = list(headers)
        self.workbook = xlsxwriter.Workbook(
            str(self.path), {"constant_memory": True, "strings_to_numbers": False}
        )
        self.bold = self.workbook.add_format({"bold": True, "bg_color": "#F2F2F2"})
        self.text = self.workbook.add_format({"num_format": "@"})
        self.reason = self.workbook.add_format({"font_color": "#B00020", "text_wrap": False})
        self.sheet = self.workbook.add_worksheet(labels.SHEET_REJECTED)
        self.summary = self.workbook.add_worksheet(labels.SHEET_SUMMARY)
        width = len(self.headers)
        row = [*self.headers, labels.RESULT_ROW, labels.RESULT_FIELDS, labels.RESULT_REASONS]
        self.sheet.write_row(0, 0, row, self.bold)
        self.sheet.set_column(0, max(width - 1, 0), 16, self.text)
        self.sheet.set_column(width + 2, width + 2, 60)
        self.sheet.freeze_panes(1, 0)
        self.rows = 0

    def reject(
        self, row_number: int, values: Sequence[str], fields: Sequence[str], reasons: Sequence[str]
    ) -> None:
        self.rows += 1
        cells = list(values[: len(self.headers)])
        cells += [""] * (len(self.headers) - len(cells))
        # Text cells, always: an ID number must not become 1.10105E+17 when opened.
        self.sheet.write_row(self.rows, 0, cells, self.text)
        width = len(self.headers)
        self.sheet.write_number(self.rows, width, row_number)
        self.sheet.write_string(self.rows, width + 1, "、".join(dict.fromkeys(fields)))
        self.sheet.write_string(self.rows, width + 2, "；".join(reasons), self.reason)

    def close(self, summary: Sequence[tuple[str, Any]]) -> Path:
        self.summary.set_column(0, 0, 24)
        self.summary.set_column(1, 1, 40)
        for index, (label, value) in enumerate(summary):
            self.summary.write_string(index, 0, str(label), self.bold)
            if isinstance(value, int | float):
                self.summary.write_number(index, 1, value)
            else:
                self.summary.write_string(index, 1, str(value))
        self.workbook.close()
        return self.path


def render_reasons(messages: Sequence[Any], language: str = "zh-hans") -> list[str]:
    """Reasons are lazy or already-rendered strings; the result file is always in Chinese."""
    with translation.override(language):
        return [str(message) for message in messages]
