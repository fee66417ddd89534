from __future__ import annotations

import pytest

from gridgov.workcalendar.arithmetic import WorkCalendar, WorkingHours
from gridgov.workcalendar.loader import calendar_cache
from gridgov.workcalendar.official import official_exceptions

# The office day of the defaults: 09:00–12:00 and 13:30–17:30 (7 hours).
WITH_LUNCH = WorkingHours.parse("09:00", "17:30", ("12:00", "13:30"))
NO_LUNCH = WorkingHours.parse("09:00", "17:30", None)


def official_calendar(hours: WorkingHours = WITH_LUNCH, years=(2024, 2025, 2026)) -> WorkCalendar:
    """The calendar the seed would build, straight from chinesecalendar (no database)."""
    days = [(day.date, day.is_workday) for year in years for day in official_exceptions(year)]
    return WorkCalendar.from_days(days, hours=hours)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Each test starts and ends without a cached calendar from another test's rows.
    calendar_cache.invalidate()
    yield
    calendar_cache.invalidate()
