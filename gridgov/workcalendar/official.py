"""The official holidays and 调休 workdays as the ``chinesecalendar`` package knows them.

The package ships the State Council's yearly notices (国务院办公厅关于部分节假日安排的通知) as
data; a year it has no data for (typically next year, until the notice is out in November and a
new package release follows) must be edited by hand. It names days in English; we store the
Chinese names people read on the calendar page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import chinese_calendar

# chinesecalendar's names (``chinese_calendar.Holiday`` values) → the names on the official notice.
CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
MAKE_UP_SUFFIX = "调休上班"


@dataclass(frozen=True)
class OfficialDay:
    date: date
    is_workday: bool
    name: str


def chinese_name(english: str | None) -> str:
    # A holiday added by a later package release still gets a name, if an English one.
    return CHINESE_NAMES.get(english or "", english or "")


def known_years() -> frozenset[int]:
    """The years the installed chinesecalendar has the State Council's notice for."""
    years = {day.year for day in chinese_calendar.holidays}
    return frozenset(range(min(years), max(years) + 1))


def official_exceptions(year: int) -> list[OfficialDay] | None:
    """The days of ``year`` that break the plain week, by date; ``None`` if the year is unknown.

    Holidays that fall on a Saturday or Sunday are rest days anyway and are left out: the
    calendar stores exceptions only.
    """
    if year not in known_years():
        return None
    days = [
        OfficialDay(day, False, chinese_name(name))
        for day, name in chinese_calendar.holidays.items()
        if day.year == year and day.weekday() < 5
    ]
    days += [
        OfficialDay(day, True, chinese_name(name) + MAKE_UP_SUFFIX)
        for day, name in chinese_calendar.workdays.items()
        if day.year == year and day.weekday() >= 5
    ]
    return sorted(days, key=lambda official: official.date)
