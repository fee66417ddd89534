"""The cockpit's charts as data: one table per chart (columns and rows), drawn by ECharts on the
page, shown as a table on request, and written to Excel (``to_xlsx``) from the same rows."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.cases import kpis
from gridgov.cockpit import figures, overview
from gridgov.cockpit.figures import Where


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # line | bar | pie
    columns: list[str]
    rows: list[list[Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "columns": self.columns,
            "rows": self.rows,
        }


CHARTS: dict[str, str | Promise] = {
    "trend": gettext_lazy("Cases day by day"),
    "categories": gettext_lazy("Top categories"),
    "channels": gettext_lazy("Channels"),
    "hours": gettext_lazy("Hours of the day"),
}


def chart(key: str, where: Where, month: str, now: datetime.datetime) -> Chart:
    """The chart ``key`` for ``month`` (YYYY-MM). Raises KeyError for an unknown chart and
    ValueError for a bad month."""
    start, end = kpis.month_period(month)
    title = f"{CHARTS[key]} · {month}"
    if key == "trend":
        groups = figures.totals(where, start, end, as_of=now, by="day")
        rows = []
        day = start.date()
        while day < end.date():
            counts = groups.get(day, {})
            rows.append(
                [
                    day.isoformat(),
                    int(counts.get("reported", 0)),
                    int(counts.get("resolved_in_period", 0)),
                    int(counts.get("closed_in_period", 0)),
                ]
            )
            day += datetime.timedelta(days=1)
        columns = [_("Day"), _("Reported"), _("Resolved"), _("Closed")]
        return Chart(key, title, "line", columns, rows)
    if key == "categories":
        rows = [
            [
                row["code"],
                row["label"],
                row["reported"],
                row["figures"]["satisfaction_rate"].percent,
            ]
            for row in overview.top_categories(where, start, end, now=now, limit=0)
        ]
        columns = [_("Code"), _("Category"), _("Reported"), _("Satisfaction rate (%)")]
        return Chart(key, title, "bar", columns, rows)
    if key == "channels":
        rows = [
            [str(row["label"]), row["reported"]]
            for row in overview.channel_counts(where, start, end, now=now)
        ]
        return Chart(key, title, "pie", [_("Channel"), _("Reported")], rows)
    if key == "hours":
        counts = figures.totals(where, start, end, as_of=now, hours=True).get(0, {})
        rows = [[f"{hour:02d}:00", int(counts.get(f"hour_{hour:02d}", 0))] for hour in range(24)]
        return Chart(key, title, "bar", [_("Hour"), _("Reported")], rows)
    raise KeyError(key)


def to_xlsx(item: Chart) -> bytes:
    """The chart's table as an Excel workbook (one sheet, a header row, the rows)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(item.key)
    bold = workbook.add_format({"bold": True})
    sheet.write(0, 0, item.title, bold)
    for column, name in enumerate(item.columns):
        sheet.write(1, column, str(name), bold)
        sheet.set_column(column, column, 16)
    for row_index, row in enumerate(item.rows, start=2):
        for column, value in enumerate(row):
            sheet.write(row_index, column, "" if value is None else value)
    workbook.close()
    return buffer.getvalue()
