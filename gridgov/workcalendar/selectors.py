"""Reads for the calendar page: a year as twelve month grids, straight from the rows."""

from __future__ import annotations

import calendar as pycalendar
import datetime
from dataclasses import dataclass

from gridgov.workcalendar.models import CalendarDay

FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True)
class DayCell:
    date: datetime.date
    in_month: bool
    is_workday: bool
    is_exception: bool  # differs from the plain week
    row: CalendarDay | None

    @property
    def name(self) -> str:
        return self.row.name if self.row else ""

    @property
    def is_manual(self) -> bool:
        return self.row is not None and self.row.source == "manual"


@dataclass(frozen=True)
class MonthGrid:
    month: int
    first: datetime.date
    weeks: list[list[DayCell]]
    workdays: int


@dataclass(frozen=True)
class YearCalendar:
    year: int
    months: list[MonthGrid]
    rows: list[CalendarDay]
    workdays: int

    @property
    def known(self) -> bool:
        """False when nobody recorded this year's holidays: it counts as a plain week."""
        return bool(self.rows)


def year_calendar(year: int) -> YearCalendar:
    """The year's days, Monday-first weeks, with each day's status and row (one query)."""
    rows = list(
        CalendarDay.objects.filter(date__year=year).select_related("updated_by").order_by("date")
    )
    by_date = {row.date: row for row in rows}

    def cell(day: datetime.date, month: int) -> DayCell:
        row = by_date.get(day) if day.year == year else None
        plain = day.weekday() < 5
        is_workday = row.is_workday if row else plain
        return DayCell(day, day.month == month, is_workday, is_workday != plain, row)

    months = []
    total = 0
    for month in range(1, 13):
        weeks = [
            [cell(day, month) for day in week]
            for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        workdays = sum(1 for week in weeks for day in week if day.in_month and day.is_workday)
        total += workdays
        months.append(MonthGrid(month, datetime.date(year, month, 1), weeks, workdays))
    return YearCalendar(year=year, months=months, rows=rows, workdays=total)
