"""The downloadable template of each kind, and the masked, scoped export in the same columns.

Both are written by xlsxwriter in ``constant_memory`` mode to a file (rows go to temporary files
as they are written, so an export of 200,000 residents holds one chunk of rows at a time); the
view then streams that file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils import translation

from gridgov.registry.importing import labels
from gridgov.registry.importing.kinds.base import Kind

LANGUAGE = "zh-hans"


def _formats(workbook: xlsxwriter.Workbook) -> dict[str, Any]:
    return {
        "required": workbook.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1}),
        "optional": workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1}),
        "text": workbook.add_format({"num_format": "@"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
    }


def _header_row(sheet: Any, kind: Kind, formats: dict[str, Any], *, mark_required: bool) -> None:
    for position, column in enumerate(kind.columns):
        header = ("*" + column.header) if (mark_required and column.required) else column.header
        sheet.write_string(
            0, position, header, formats["required" if column.required else "optional"]
        )
        sheet.set_column(
            position, position, column.width, formats["text"] if column.text_format else None
        )
    sheet.freeze_panes(1, 0)


def write_template(kind: Kind, path: str | Path) -> Path:
    """An empty sheet with the headers (required ones marked ``*``), drop-down lists for the
    choice columns, and a second sheet explaining every column."""
    workbook = xlsxwriter.Workbook(str(path))
    formats = _formats(workbook)
    data = workbook.add_worksheet(kind.sheet_name)
    _header_row(data, kind, formats, mark_required=True)
    for position, column in enumerate(kind.columns):
        if column.choices is not None and not column.many:
            data.data_validation(
                1,
                position,
                100_000,
                position,
                {
                    "validate": "list",
                    "source": list(column.choices.labels.values()),
                    "ignore_blank": True,
                },
            )
    help_sheet = workbook.add_worksheet(labels.SHEET_INSTRUCTIONS)
    for position, title in enumerate(labels.INSTRUCTION_HEADERS):
        help_sheet.write_string(0, position, title, formats["optional"])
    help_sheet.set_column(0, 0, 18)
    help_sheet.set_column(1, 1, 10)
    help_sheet.set_column(2, 2, 70, formats["wrap"])
    help_sheet.set_column(3, 3, 50, formats["wrap"])
    with translation.override(LANGUAGE):
        for number, column in enumerate(kind.columns, start=1):
            help_sheet.write_row(
                number,
                0,
                [
                    column.header,
                    labels.REQUIRED if column.required else labels.OPTIONAL,
                    str(column.help),
                    column.allowed(),
                ],
            )
    workbook.close()
    return Path(path)


def write_export(kind: Kind, user: Any, path: str | Path) -> int:
    """The rows of ``kind`` that ``user`` may see, identifiers masked; returns the row count."""
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False}
    )
    formats = _formats(workbook)
    sheet = workbook.add_worksheet(kind.sheet_name)
    _header_row(sheet, kind, formats, mark_required=False)
    count = 0
    for count, values in enumerate(kind.export_rows(user), start=1):
        sheet.write_row(count, 0, values)
    workbook.close()
    return count
