"""A day's patrols as an Excel workbook: the summary per worker and the patrols themselves.

No personal identifier is written: names of staff, grids, times and figures only.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.patrol.models import Patrol
from gridgov.patrol.selectors import DailySummary


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def summary_workbook(
    day: datetime.date,
    rows: list[DailySummary],
    patrols: Iterable[Patrol],
    now: datetime.datetime | None = None,
) -> bytes:
    now = now or timezone.now()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})

    sheet = book.add_worksheet(_("Daily summary"))
    headers = [
        (_("Day"), 12),
        (_("Grid worker"), 14),
        (_("Grids"), 24),
        (_("Patrols"), 8),
        (_("Duration (minutes)"), 12),
        (_("Distance (m)"), 12),
        (_("Cases found"), 10),
    ]
    for column, (title, width) in enumerate(headers):
        sheet.write(0, column, title, bold)
        sheet.set_column(column, column, width)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(
            index,
            0,
            [
                day.isoformat(),
                row.worker.display_name,
                "、".join(row.grids),
                row.patrols,
                row.duration_minutes,
                round(row.distance_m),
                row.cases_found,
            ],
        )
    sheet.freeze_panes(1, 0)

    sheet = book.add_worksheet(_("Patrols"))
    headers = [
        (_("Grid worker"), 14),
        (_("Grid"), 18),
        (_("Started at"), 17),
        (_("Ended at"), 17),
        (_("Duration (minutes)"), 12),
        (_("Distance (m)"), 12),
        (_("Route points"), 10),
        (_("Points outside the grid"), 12),
        (_("Cases found"), 10),
    ]
    for column, (title, width) in enumerate(headers):
        sheet.write(0, column, title, bold)
        sheet.set_column(column, column, width)
    for index, patrol in enumerate(patrols, start=1):
        sheet.write_row(
            index,
            0,
            [
                patrol.worker.display_name,
                patrol.area.name,
                _local(patrol.started_at),
                _local(patrol.ended_at),
                int(patrol.duration(now).total_seconds() // 60),
                round(patrol.distance_m),
                patrol.point_count,
                patrol.outside_count,
                getattr(patrol, "found_count", 0),
            ],
        )
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
