"""The monthly assessment report of a street (月考评通报): its figures and the rankings (赛马) of
its communities, grids and departments, as an Excel workbook (xlsxwriter) or a PDF (reportlab,
embedding a CJK font). The page, the download views and ``gridgov kpis`` all call these.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.areas.models import Area, AreaLevel
from gridgov.cases import kpis
from gridgov.cases.models import Case
from gridgov.core.models import Department

DEFAULT_CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
# The figures of the street's summary, in order.
SUMMARY_KEYS = tuple(kpis.DEFINITIONS)


@dataclass
class StreetReport:
    street: Area
    month: str
    period_start: datetime.datetime
    period_end: datetime.datetime
    figures: dict[str, kpis.Figure]
    communities: list[kpis.Ranked]
    grids: list[kpis.Ranked]
    departments: list[kpis.Ranked]

    @property
    def title(self) -> str:
        return _("%(street)s · monthly assessment report · %(month)s") % {
            "street": self.street.name,
            "month": self.month,
        }

    def sections(self) -> list[tuple[str, list[kpis.Ranked]]]:
        return [
            (_("Communities"), self.communities),
            (_("Grids"), self.grids),
            (_("Departments"), self.departments),
        ]


def street_report(
    cases: QuerySet[Case],
    street: Area,
    month: str,
    *,
    as_of: datetime.datetime | None = None,
) -> StreetReport:
    """The street's report for ``month`` ("YYYY-MM") over ``cases`` (already scoped by the caller);
    four aggregate queries whatever the number of cases, communities and grids."""
    start, end = kpis.month_period(month)
    cases = cases.filter(area__code__startswith=street.code)
    below = Area.objects.filter(code__startswith=street.code, retired_at__isnull=True)
    communities = list(below.filter(level=AreaLevel.COMMUNITY).order_by("code"))
    grids = list(below.filter(level=AreaLevel.GRID).order_by("code"))
    departments = list(
        Department.objects.filter(area__code__startswith=street.code, active=True).order_by("name")
    )
    return StreetReport(
        street=street,
        month=month,
        period_start=start,
        period_end=end,
        figures=kpis.kpis_for(cases, start, end, as_of=as_of),
        communities=kpis.kpis_by_area(cases, communities, start, end, as_of=as_of),
        grids=kpis.kpis_by_area(cases, grids, start, end, as_of=as_of),
        departments=kpis.kpis_by_department(cases, departments, start, end, as_of=as_of),
    )


def _header(key: str) -> str:
    return kpis.DEFINITIONS[key].term


def cells(row: kpis.Ranked) -> list[Any]:
    dispatched = row.figures["response_rate"].denominator  # type: ignore[union-attr]
    return [row.rank or "—", row.label, dispatched] + [
        str(row.figures[key]) for key in kpis.RANKING_KEYS
    ]


def ranking_header() -> list[str]:
    return [_("Rank"), _("Name"), _("Dispatched")] + [_header(k) for k in kpis.RANKING_KEYS]


# --- Excel -------------------------------------------------------------------------------------


def to_xlsx(report: StreetReport) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = book.add_format({"bold": True, "font_size": 14})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    cell = book.add_format({"border": 1})
    percent = book.add_format({"border": 1, "num_format": "0.0%"})
    number = book.add_format({"border": 1, "num_format": "0.0"})

    def value_cell(sheet: Any, r: int, c: int, figure: kpis.Figure, kind: str) -> None:
        if figure.value is None:
            sheet.write_string(r, c, "—", cell)
        elif kind in ("rate", "share"):
            sheet.write_number(r, c, figure.value, percent)
        else:
            sheet.write_number(r, c, figure.value, number)

    sheet = book.add_worksheet(_("Summary"))
    sheet.write(0, 0, report.title, title)
    sheet.write_row(
        2,
        0,
        [_("Figure"), _("Name"), _("Value"), _("Numerator"), _("Denominator"), ""],
        bold,
    )
    for r, key in enumerate(SUMMARY_KEYS, start=3):
        definition = kpis.DEFINITIONS[key]
        figure = report.figures[key]
        sheet.write(r, 0, definition.term, cell)
        sheet.write(r, 1, str(definition.label), cell)
        value_cell(sheet, r, 2, figure, definition.kind)
        if isinstance(figure, kpis.Rate):
            sheet.write_number(r, 3, figure.numerator, cell)
            sheet.write_number(r, 4, figure.denominator, cell)
        sheet.write(r, 5, f"{definition.numerator} / {definition.denominator}", cell)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 34)
    sheet.set_column(2, 4, 12)
    sheet.set_column(5, 5, 80)

    for name, rows in report.sections():
        sheet = book.add_worksheet(name[:31])
        sheet.write(0, 0, f"{report.title} · {name}", title)
        sheet.write_row(2, 0, ranking_header(), bold)
        for r, row in enumerate(rows, start=3):
            sheet.write(r, 0, row.rank or "—", cell)
            sheet.write(r, 1, row.label, cell)
            sheet.write_number(r, 2, row.figures["response_rate"].denominator, cell)  # type: ignore[union-attr]
            for c, key in enumerate(kpis.RANKING_KEYS, start=3):
                value_cell(sheet, r, c, row.figures[key], kpis.DEFINITIONS[key].kind)
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, 1, 24)
        sheet.set_column(2, 2 + len(kpis.RANKING_KEYS), 12)
        sheet.freeze_panes(3, 2)
    book.close()
    return buffer.getvalue()


# --- PDF ---------------------------------------------------------------------------------------

_FONT = "gridgov-cjk"


def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        path = getattr(settings, "GRIDGOV_CJK_FONT_PATH", None) or DEFAULT_CJK_FONT
        index = 0 if str(path).lower().endswith(".ttc") else None
        font = TTFont(_FONT, path, subfontIndex=index) if index is not None else TTFont(_FONT, path)
        pdfmetrics.registerFont(font)
    return _FONT


def to_pdf(report: StreetReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _register_font()
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=22, spaceAfter=6)
    subheading = ParagraphStyle("sub", fontName=font, fontSize=12, leading=18, spaceBefore=8)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=11)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)

    def table(data: list[list[Any]], widths: list[float]) -> Table:
        wrapped = [[Paragraph(str(value), body) for value in row] for row in data]
        result = Table(wrapped, colWidths=widths, repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return result

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=report.title,
    )
    story: list[Any] = [
        Paragraph(report.title, heading),
        Paragraph(
            _("Period: %(start)s to %(end)s (Asia/Shanghai). Figures computed from the timeline.")
            % {
                "start": report.period_start.strftime("%Y-%m-%d"),
                "end": (report.period_end - datetime.timedelta(days=1)).strftime("%Y-%m-%d"),
            },
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    summary = [[_("Figure"), _("Value"), _("Numerator"), _("Denominator"), _("Definition")]]
    for key in SUMMARY_KEYS:
        definition = kpis.DEFINITIONS[key]
        figure = report.figures[key]
        counts = (
            [figure.numerator, figure.denominator]
            if isinstance(figure, kpis.Rate)
            else ["", getattr(figure, "count", "")]
        )
        summary.append(
            [
                f"{definition.term}",
                str(figure),
                *counts,
                f"{definition.numerator} / {definition.denominator}",
            ]
        )
    story.append(table(summary, [40 * mm, 22 * mm, 22 * mm, 22 * mm, 165 * mm]))
    width = 273 * mm
    rest = (width - 12 * mm - 50 * mm - 18 * mm) / len(kpis.RANKING_KEYS)
    for name, rows in report.sections():
        story.append(Paragraph(name, subheading))
        data: list[list[Any]] = [ranking_header()] + [cells(row) for row in rows]
        if not rows:
            data.append(["—"] * len(data[0]))
        story.append(table(data, [12 * mm, 50 * mm, 18 * mm] + [rest] * len(kpis.RANKING_KEYS)))
    document.build(story)
    return buffer.getvalue()


def filename(report: StreetReport, extension: str) -> str:
    return f"kpis-{report.street.code}-{report.month}.{extension}"
