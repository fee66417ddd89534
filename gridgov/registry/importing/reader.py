"""Reading an exchange sheet row by row with python-calamine.

What is held in memory, honestly: calamine (Rust) parses the whole first worksheet into its own
cell range when the sheet is opened (it has no lazy row reader; see python-calamine issue #42). The
shared-strings table and that range stay in Rust memory for the duration of the import, about
40–60 bytes a cell, so a 200,000-row residents sheet of 11 columns holds roughly 100–130 MB there.
What Python holds is one row at a time: ``iter_rows`` walks the Rust range and builds each row's
Python list on demand, and the runner keeps one batch of rows. ``gridgov bench import`` measures
the process's resident memory at 25, 50 and 100 % of the rows to show it stays flat after opening.
The upload limit (GRIDGOV_MAX_UPLOAD_BYTES) bounds what the web can hand to the reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from gridgov.registry.importing.columns import cell_text


class UnreadableFile(Exception):
    """The file is not a workbook calamine can read, or it has no visible worksheet."""


@dataclass
class SheetRows:
    """The header row and an iterator of ``(row number, cell texts)`` of the data rows.

    Row numbers are Excel's (1-based, counting the header), so that a person can find the row.
    """

    header: list[Any]
    header_row_number: int
    estimated_rows: int
    _workbook: CalamineWorkbook
    _rows: Iterator[list[Any]]

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        number = self.header_row_number
        for row in self._rows:
            number += 1
            texts = [cell_text(cell) for cell in row]
            if any(texts):
                yield number, texts

    def close(self) -> None:
        self._workbook.close()

    def __enter__(self) -> SheetRows:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_rows(path: str | Path) -> SheetRows:
    """The first visible worksheet of ``path`` (xlsx, xlsm, xls or ods)."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        index = next(
            (
                i
                for i, meta in enumerate(workbook.sheets_metadata)
                if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
            ),
            None,
        )
        if index is None:
            workbook.close()
            raise UnreadableFile("no visible worksheet")
        sheet = workbook.get_sheet_by_index(index)
    except (CalamineError, OSError, ValueError) as error:
        raise UnreadableFile(str(error)) from error
    rows = sheet.iter_rows()
    start = sheet.start
    header_row_number = (start[0] + 1) if start else 1
    header = next(rows, [])
    return SheetRows(
        header=header,
        header_row_number=header_row_number,
        estimated_rows=max(sheet.height - 1, 0),
        _workbook=workbook,
        _rows=rows,
    )
